"""How an OpenAI-compatible server fails, in words a parent understands (storybot.messages).

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
from storybot.engines.failures import engine_error


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
            return engine_error("timeout", "no_answer", url=url, seconds=self.read_timeout)
        if isinstance(exc, openai.APIConnectionError):
            if _caused_by(exc, ConnectionRefusedError) or "refused" in _causes_text(exc):
                return engine_error("unavailable", "refused", url=url)
            return engine_error("unavailable", "unreachable", url=url)
        if isinstance(exc, openai.APIResponseValidationError):
            return engine_error("bad_response", "unreadable", url=url)
        if not isinstance(exc, openai.APIStatusError):
            return engine_error("server_error", "failed", url=url, message=exc.message)
        return self._status(exc)

    def _status(self, exc: openai.APIStatusError) -> EngineError:
        url, status, message = self.base_url, exc.status_code, server_message(exc)
        if status == 429:
            retry_after = parse_retry_after(exc.response.headers)
            if retry_after is None:
                return engine_error("rate_limited", "busy", url=url)
            return engine_error(
                "rate_limited", "retry_after", retry_after=retry_after, url=url, seconds=retry_after
            )
        if status >= 500:
            return engine_error("server_error", "http", url=url, status=status, message=message)
        if status in (401, 403):
            return engine_error(
                "bad_request",
                "api_key",
                url=url,
                status=status,
                env=self.api_key_env,
                message=message,
            )
        if status == 404:
            return engine_error(
                "bad_request", "not_found", url=url, model=self.model, message=message
            )
        return engine_error("bad_request", "http", url=url, status=status, message=message)

    def mid_stream(self, exc: BaseException, pieces: int) -> EngineError:
        """Map an error raised while reading the stream, after ``pieces`` text pieces."""
        url = self.base_url
        if is_bad_data(exc):
            return engine_error("bad_response", "unreadable_piece", url=url)
        if isinstance(exc, (openai.APITimeoutError, *HTTP_TIMEOUTS)):
            cause = "wrote_nothing" if pieces == 0 else "stopped_writing"
            return engine_error("timeout", cause, url=url, seconds=self.read_timeout)
        if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
            # An error event inside the stream (``data: {"error": ...}``).
            return engine_error("server_error", "mid_story", url=url, message=exc.message)
        return engine_error("interrupted", "dropped", url=url)

    def no_finish(self) -> EngineError:
        """The stream ended cleanly, but never said the story was finished."""
        return engine_error("interrupted", "no_finish", url=self.base_url)

    def odd_finish(self, reason: str) -> EngineError:
        """A finish reason other than "stop" or "length"."""
        if reason == "content_filter":
            return engine_error("bad_response", "content_filter", url=self.base_url)
        return engine_error("bad_response", "odd_finish", url=self.base_url, reason=reason)


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
