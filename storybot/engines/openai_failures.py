"""How an OpenAI-compatible server fails, in words a parent understands.

The SDK raises the same exception for different situations depending on when
it happens: ``APIConnectionError`` before the stream means the server is down
("unavailable"), after text has arrived it means the connection dropped
("interrupted"). So there is one mapping for each phase.
"""

from __future__ import annotations

import email.utils
import importlib
import importlib.util
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

import openai
import pydantic

from storybot.engines.base import EngineError


class BadChunk(ValueError):
    """A chunk that parsed as JSON but is not shaped like a chat completion chunk."""


# The SDK's HTTP library: httpx up to openai 2.x, httpx2 from 3.x. openai 3.x
# wraps transport errors met while reading a stream in APIConnectionError /
# APITimeoutError; older versions let the raw httpx errors through.
# Catch the errors of whichever of the two is installed (catching both is harmless).
_HTTP_LIBRARIES = [
    importlib.import_module(name)
    for name in ("httpx2", "httpx")
    if importlib.util.find_spec(name) is not None
]
HTTP_ERRORS: tuple[type[Exception], ...] = tuple(lib.HTTPError for lib in _HTTP_LIBRARIES)
HTTP_TIMEOUTS: tuple[type[Exception], ...] = tuple(lib.TimeoutException for lib in _HTTP_LIBRARIES)

# What reading a stream can raise.
STREAM_ERRORS: tuple[type[Exception], ...] = (
    openai.APIError,
    *HTTP_ERRORS,
    OSError,
    ValueError,  # json.JSONDecodeError, UnicodeDecodeError, BadChunk
    pydantic.ValidationError,
)


def is_bad_data(exc: BaseException) -> bool:
    """Whether ``exc`` says the server sent something unreadable (not a network failure)."""
    return isinstance(
        exc,
        json.JSONDecodeError
        | UnicodeDecodeError
        | pydantic.ValidationError
        | openai.APIResponseValidationError
        | BadChunk,
    )


@dataclass(frozen=True)
class FailureWords:
    """Turns SDK and transport errors into EngineErrors for one server."""

    base_url: str
    model: str
    api_key_env: str
    read_timeout: float

    def before_stream(self, exc: openai.APIError) -> EngineError:
        """Map an error raised before any text arrived (or by a health check)."""
        url = self.base_url
        if isinstance(exc, openai.APITimeoutError):
            return EngineError(
                "timeout",
                f"The model server at {url} did not answer within {self.read_timeout:g} seconds; "
                "is it overloaded?",
            )
        if isinstance(exc, openai.APIConnectionError):
            if _caused_by(exc, ConnectionRefusedError) or "refused" in _causes_text(exc):
                return EngineError(
                    "unavailable",
                    f"The model server at {url} refused the connection; is it running?",
                )
            return EngineError(
                "unavailable",
                f"Storybot could not reach the model server at {url}; is the address right "
                "and is the server running?",
            )
        if isinstance(exc, openai.APIResponseValidationError):
            return EngineError(
                "bad_response", f"The model server at {url} sent an answer Storybot cannot read."
            )
        if not isinstance(exc, openai.APIStatusError):
            return EngineError("server_error", f"The model server at {url} failed: {exc.message}")
        return self._status(exc)

    def _status(self, exc: openai.APIStatusError) -> EngineError:
        url, status, message = self.base_url, exc.status_code, server_message(exc)
        if status == 429:
            retry_after = parse_retry_after(exc.response.headers)
            wait = f" in about {retry_after:.0f} seconds" if retry_after is not None else " later"
            return EngineError(
                "rate_limited",
                f"The model server at {url} is busy (too many requests); try again{wait}.",
                retry_after=retry_after,
            )
        if status >= 500:
            return EngineError(
                "server_error",
                f"The model server at {url} had an internal error (HTTP {status}): {message}",
            )
        if status in (401, 403):
            return EngineError(
                "bad_request",
                f"The model server at {url} refused the API key (HTTP {status}); check the "
                f"{self.api_key_env} environment variable. The server said: {message}",
            )
        if status == 404:
            return EngineError(
                "bad_request",
                f"The model server at {url} answered 'not found' (HTTP 404): {message}. Check "
                f"the model name '{self.model}' and that the address ends in /v1.",
            )
        return EngineError(
            "bad_request",
            f"The model server at {url} refused the request (HTTP {status}): {message}",
        )

    def mid_stream(self, exc: BaseException, pieces: int) -> EngineError:
        """Map an error raised while reading the stream, after ``pieces`` text pieces."""
        url = self.base_url
        if is_bad_data(exc):
            return EngineError(
                "bad_response",
                f"The model server at {url} sent a piece of the story Storybot could not read.",
            )
        if isinstance(exc, (openai.APITimeoutError, *HTTP_TIMEOUTS)):
            waited = f"{self.read_timeout:g} seconds"
            what = "wrote nothing" if pieces == 0 else "stopped writing"
            return EngineError("timeout", f"The model server at {url} {what} for {waited}.")
        if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
            # An error event inside the stream (``data: {"error": ...}``).
            return EngineError(
                "server_error",
                f"The model server at {url} reported an error mid-story: {exc.message}",
            )
        return EngineError(
            "interrupted",
            f"The connection to the model server at {url} dropped in the middle of the story.",
        )

    def no_finish(self) -> EngineError:
        """The stream ended cleanly, but never said the story was finished."""
        return EngineError(
            "interrupted",
            f"The model server at {self.base_url} ended the story without saying it was "
            "finished; the connection may have been cut.",
        )

    def odd_finish(self, reason: str) -> EngineError:
        """A finish reason other than "stop" or "length"."""
        if reason == "content_filter":
            return EngineError(
                "bad_response",
                f"The model server at {self.base_url} stopped the story: its content filter "
                "flagged it.",
            )
        return EngineError(
            "bad_response",
            f"The model server at {self.base_url} stopped the story for an unexpected "
            f"reason ({reason!r}).",
        )


def server_message(exc: openai.APIStatusError) -> str:
    """The server's own words about an HTTP error (the SDK keeps ``error`` from the body)."""
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message") or body.get("detail") or body.get("error")
        if isinstance(message, str) and message:
            return message
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return exc.response.reason_phrase or "no details"


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or a date)."""
    if (value := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _causes_text(exc: BaseException) -> str:
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 10:
        parts.append(str(seen).lower())
        seen = seen.__cause__ or seen.__context__
    return " ".join(parts)
