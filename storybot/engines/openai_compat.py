"""An engine for any OpenAI-compatible server: Ollama, vLLM, llama.cpp server, OpenAI.

Failures become :class:`EngineError` with a reason a parent can read. Where
they come from matters: the same SDK exception means "server down" before the
stream starts and "connection dropped" once text has arrived.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, cast

import openai

from storybot.engines.base import EngineError, EngineHealth, Finish, GenerationOptions, Message
from storybot.engines.failures import failed_health, health
from storybot.engines.openai_failures import STREAM_ERRORS, BadChunk, FailureWords, is_bad_data

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam


class OpenAICompatEngine:
    """Writes with a model behind an OpenAI-compatible ``/v1/chat/completions`` API.

    Retries: none in the SDK (``max_retries=0``). A retry cannot resume a
    stream, so once a story is partly shown a silent retry would start it over
    with different words; and before the first byte, SDK retries would multiply
    the wait on a dead server (3 x read_timeout). The caller (the story runner)
    decides, knowing what was shown and honouring ``retry_after`` on 429.

    ``repeat_penalty`` is not sent: OpenAI itself rejects unknown fields, and
    the servers that take one disagree on its name.
    """

    kind = "openai"
    # Servers differ on a last assistant message (some continue it, some start
    # a new answer), so the text to write on from is sent as an instruction.
    continues_text = False

    def __init__(
        self,
        name: str,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        languages: Iterable[str] = ("en",),
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        health_timeout: float = 3.0,
    ) -> None:
        """Create the engine (no connection is made until the first request)."""
        self.name = name
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.languages = frozenset(languages)
        self.api_key_env = api_key_env
        self.read_timeout = read_timeout
        self.health_timeout = health_timeout
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=os.environ.get(api_key_env) or "not-needed",
            timeout=openai.Timeout(read_timeout, connect=connect_timeout),
            max_retries=0,
        )
        self._words = FailureWords(self.base_url, model, api_key_env, read_timeout)
        self._state = threading.Lock()
        self._active = 0
        self._closing = False

    def close(self) -> None:
        """Close the pooled connections, once the streams still running have ended.

        The registry closes an engine when its configuration changes, possibly
        while a story is still being written with it.
        """
        with self._state:
            self._closing = True
            idle = self._active == 0
        if idle:
            self._client.close()

    def health(self) -> EngineHealth:
        """Ask the server for its models (short timeout) and say whether ours is there."""
        try:
            page = self._client.models.list(timeout=self.health_timeout)
            models = [entry.id for entry in page.data]
        except openai.APIError as exc:
            return failed_health(self._words.before_stream(exc))
        if not models or self.model in models or f"{self.model}:latest" in models:
            return health(True, "server_answers", models=models, url=self.base_url)
        return health(False, "model_not_listed", models=models, url=self.base_url, model=self.model)

    def stream(
        self, messages: Sequence[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | Finish]:
        """Yield the story's text as the server streams it, then one Finish."""
        if cancel.is_set():
            yield Finish("cancelled", 0, 0)
            return
        with self._state:
            if self._closing:
                raise EngineError(
                    "unavailable", f"The engine '{self.name}' was reconfigured; try again."
                )
            self._active += 1
        try:
            yield from self._stream(messages, options, cancel)
        finally:
            with self._state:
                self._active -= 1
                last = self._closing and self._active == 0
            if last:
                self._client.close()

    def _stream(
        self, messages: Sequence[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | Finish]:
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=cast("list[ChatCompletionMessageParam]", _as_turns(messages)),
                stream=True,
                stream_options={"include_usage": True},
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                top_p=options.top_p,
                stop=list(options.stop) or None,
                # Via extra_body: openai 1.x spells "leave out" NOT_GIVEN, 3.x omit.
                extra_body={"seed": options.seed} if options.seed is not None else None,
            )
        except openai.APIError as exc:
            raise self._words.before_stream(exc) from exc
        watcher = _CancelWatcher(response.response, cancel)
        try:
            yield from self._read(iter(response), cancel)
        finally:
            watcher.stop()
            response.close()

    def _read(
        self, chunks: Iterator[ChatCompletionChunk], cancel: threading.Event
    ) -> Iterator[str | Finish]:
        finish: str | None = None
        usage: tuple[int, int] | None = None
        pieces = 0
        while True:
            if cancel.is_set():
                # The server's usage has not come yet: count the chunks read.
                yield Finish("cancelled", 0, pieces)
                return
            try:
                chunk = next(chunks)
                texts, reason, chunk_usage = _parse(chunk)
            except StopIteration:
                break
            except STREAM_ERRORS as exc:
                if cancel.is_set():  # our watcher cut the connection
                    yield Finish("cancelled", 0, pieces)
                    return
                if finish is not None and not is_bad_data(exc):
                    break  # the story was complete; only the usage was lost
                raise self._words.mid_stream(exc, pieces) from exc
            for text in texts:
                pieces += 1
                yield text
            finish = reason or finish
            usage = chunk_usage or usage
        if finish is None:
            raise self._words.no_finish()
        if finish not in ("stop", "length"):
            raise self._words.odd_finish(finish)
        if usage is None:
            # The server ignored stream_options.include_usage: estimate one token
            # per content chunk (most servers send one token per chunk) and leave
            # the prompt's size unknown (0).
            usage = (0, pieces)
        yield Finish("length" if finish == "length" else "stop", *usage)


CONTINUE_ASK = (
    "Write on from exactly where your last answer stops, as its next words: "
    "do not repeat it and do not start again."
)


def _as_turns(messages: Sequence[Message]) -> list[dict[str, str]]:
    """The chat as a server takes it: a last assistant message (text to write on
    from) becomes the assistant's earlier turn and an instruction to continue it."""
    turns = [{"role": m["role"], "content": m["content"]} for m in messages]
    if turns and turns[-1]["role"] == "assistant":
        turns.append({"role": "user", "content": CONTINUE_ASK})
    return turns


def _parse(chunk: ChatCompletionChunk) -> tuple[list[str], str | None, tuple[int, int] | None]:
    """Read one chunk: its text pieces, finish reason and usage.

    The SDK builds chunks without validation, so a chunk of the wrong shape
    shows up as a missing attribute here.
    """
    try:
        texts: list[str] = []
        reason: str | None = None
        for choice in chunk.choices or []:
            if choice.index != 0:
                continue
            content = choice.delta.content if choice.delta is not None else None
            if content:
                texts.append(str(content))
            if choice.finish_reason:
                reason = str(choice.finish_reason)
        usage = chunk.usage
        counts = (int(usage.prompt_tokens), int(usage.completion_tokens)) if usage else None
    except (AttributeError, TypeError, ValueError) as exc:
        raise BadChunk(str(exc)) from exc
    return texts, reason, counts


class _CancelWatcher:
    """Shuts the socket down once ``cancel`` is set, waking a read blocked on a silent server.

    Checking ``cancel`` between chunks is not enough when the server goes
    quiet (a long prompt, a stalled GPU): the read would block for up to
    ``read_timeout``. ``shutdown`` (unlike ``close``) wakes a blocked ``recv``
    in another thread; the reader then sees the connection end, notices
    ``cancel`` and finishes as cancelled.
    """

    def __init__(self, response: object, cancel: threading.Event) -> None:
        self._response = response
        self._cancel = cancel
        self._done = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="storybot-cancel-watch", daemon=True).start()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._cancel.wait(0.05):
                with self._lock:
                    if not self._done.is_set():
                        _shutdown_socket(self._response)
                return

    def stop(self) -> None:
        """Stop watching (the stream is over)."""
        with self._lock:
            self._done.set()


def _shutdown_socket(response: object) -> None:
    """Shut down the socket under an httpx/httpx2 response (httpcore's ``network_stream``)."""
    extensions = getattr(response, "extensions", None) or {}
    network_stream = extensions.get("network_stream")
    sock = network_stream.get_extra_info("socket") if network_stream is not None else None
    if isinstance(sock, socket.socket):
        # The plain socket's shutdown: SSLSocket.shutdown would also drop the
        # TLS object under the reading thread's feet. OSError: already closed.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
