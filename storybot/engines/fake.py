"""A scripted engine for tests and benchmarks: no model, deterministic text.

Script the next stream with :meth:`FakeEngine.enqueue` (pieces, a pause, a
failure ...); with nothing enqueued it writes a short default story, so tests
that do not care about the text still get some.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from storybot.engines.base import EngineError, EngineHealth, Finish, GenerationOptions, Message
from storybot.engines.failures import health

DEFAULT_STORY = [
    "Once upon a time, ",
    "a little lantern ",
    "lived on a hill. ",
    "Every night it shone ",
    "so that the sheep ",
    "could find their way home. ",
    "The end.",
]
_POLL = 0.02  # how often a paused or sleeping stream looks at its cancel flag


@dataclass(frozen=True)
class FakeCall:
    """What one call to :meth:`FakeEngine.stream` received."""

    messages: list[Message]
    options: GenerationOptions


@dataclass
class _Script:
    pieces: list[str]
    pause_after: int | None = None
    delay: float = 0.0
    fail_with: EngineError | None = None
    finish_reason: Literal["stop", "length"] | None = "stop"
    released: threading.Event = field(default_factory=threading.Event)


class FakeEngine:
    """An engine that streams scripted pieces (kind ``"fake"``)."""

    kind = "fake"

    def __init__(
        self,
        name: str = "fake",
        *,
        model: str = "fake-storyteller",
        languages: Iterable[str] = ("en", "ja"),
        tokens_per_second: float | None = None,
        benchmark_pieces: int | None = None,
        continues_text: bool = False,
    ) -> None:
        """Create the engine.

        With ``tokens_per_second`` every stream is paced at that rate, and an
        unscripted stream yields ``benchmark_pieces`` pieces (default: the
        request's ``max_tokens``) ending with ``Finish("length")``: a model of
        known speed for benchmarks. ``continues_text`` says whether the engine
        is to be given words to write on from (see :meth:`stream`); off, it
        stands for a server, and stories get no opening words.
        """
        self.continues_text = continues_text
        self.name = name
        self.model = model
        self.languages = frozenset(languages)
        self.tokens_per_second = tokens_per_second
        self.benchmark_pieces = benchmark_pieces
        self.calls: list[FakeCall] = []
        self.healthy = True
        self._lock = threading.Lock()
        self._scripts: deque[_Script] = deque()
        self._to_release: deque[_Script] = deque()

    def enqueue(
        self,
        pieces: list[str],
        *,
        pause_after: int | None = None,
        delay: float = 0.0,
        fail_with: EngineError | None = None,
        finish_reason: Literal["stop", "length"] | None = "stop",
    ) -> None:
        """Script the next stream.

        It yields ``pieces`` (``delay`` seconds before each), stops after
        ``pause_after`` pieces until :meth:`release`, then raises ``fail_with``
        if given, else yields ``Finish(finish_reason)``; ``finish_reason=None``
        ends without a Finish, like a broken engine.
        """
        script = _Script(list(pieces), pause_after, delay, fail_with, finish_reason)
        with self._lock:
            self._scripts.append(script)
            if pause_after is not None:
                self._to_release.append(script)

    def release(self) -> None:
        """Let the oldest paused (or yet to pause) stream continue."""
        with self._lock:
            if not self._to_release:
                raise RuntimeError("FakeEngine.release(): no stream was enqueued with pause_after")
            script = self._to_release.popleft()
        script.released.set()

    def health(self) -> EngineHealth:
        """Report ``healthy`` (tests may set it to False)."""
        return health(
            self.healthy, "fake_ready" if self.healthy else "fake_unhealthy", models=[self.model]
        )

    def stream(
        self, messages: Sequence[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | Finish]:
        """Yield the next scripted stream (or the default story), then one Finish.

        A script is the model's whole answer: when the last message is the
        assistant's and the script starts with that text, the stream writes
        on from where it stops, as a model continues its own words.
        """
        with self._lock:
            self.calls.append(FakeCall(list(messages), options))
            script = self._scripts.popleft() if self._scripts else self._default_script(options)
        if messages and messages[-1]["role"] == "assistant":
            script = _continuing(script, messages[-1]["content"])
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        interval = 1.0 / self.tokens_per_second if self.tokens_per_second else 0.0
        next_at = time.monotonic()
        sent = 0
        for index, piece in enumerate(script.pieces):
            if index == script.pause_after and not _wait(script.released, cancel):
                break
            if script.delay and cancel.wait(script.delay):
                break
            if interval:  # a fixed schedule, so slow consumers do not slow the rate
                next_at += interval
                if cancel.wait(max(0.0, next_at - time.monotonic())):
                    break
            if cancel.is_set():
                break
            sent += 1
            yield piece
        if cancel.is_set():
            yield Finish("cancelled", prompt_tokens, sent)
            return
        pauses_at_end = script.pause_after is not None and script.pause_after >= len(script.pieces)
        if pauses_at_end and not _wait(script.released, cancel):
            yield Finish("cancelled", prompt_tokens, sent)
            return
        if script.fail_with is not None:
            raise script.fail_with
        if script.finish_reason is not None:
            yield Finish(script.finish_reason, prompt_tokens, sent)

    def _default_script(self, options: GenerationOptions) -> _Script:
        if self.tokens_per_second:
            count = self.benchmark_pieces or options.max_tokens
            # Sentences of ten words, as a model writes them.
            words = [f"word{i}{'.' if i % 10 == 9 else ''} " for i in range(count)]
            return _Script(words, finish_reason="length")
        pieces = DEFAULT_STORY[: options.max_tokens]
        reason: Literal["stop", "length"] = (
            "stop" if len(pieces) == len(DEFAULT_STORY) else "length"
        )
        return _Script(pieces, finish_reason=reason)


def _continuing(script: _Script, written: str) -> _Script:
    """``script`` without the text the model was given to write on from, if it starts with it."""
    if not written or not "".join(script.pieces).startswith(written):
        return script
    pieces, skip = [], len(written)
    for piece in script.pieces:
        if skip >= len(piece):
            skip -= len(piece)
            continue
        pieces.append(piece[skip:])
        skip = 0
    pause = script.pause_after
    if pause is not None:
        pause = max(0, pause - (len(script.pieces) - len(pieces)))
    return replace(script, pieces=pieces, pause_after=pause)


def _wait(released: threading.Event, cancel: threading.Event) -> bool:
    """Wait for ``released``; return False if ``cancel`` is set first."""
    while not released.wait(_POLL):
        if cancel.is_set():
            return False
    return not cancel.is_set()
