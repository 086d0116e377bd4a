"""The scripted FakeEngine that other tests and the benchmarks rely on."""

from __future__ import annotations

import threading
import time

import pytest

from storybot.engines.base import EngineError, Finish, GenerationOptions, Message
from storybot.engines.fake import DEFAULT_STORY, FakeCall, FakeEngine

MESSAGES: list[Message] = [{"role": "user", "content": "A story about a lantern."}]
OPTIONS = GenerationOptions()


def collect(engine: FakeEngine, cancel: threading.Event | None = None) -> list[str | Finish]:
    """Everything one stream yields."""
    return list(engine.stream(MESSAGES, OPTIONS, cancel or threading.Event()))


def test_unscripted_stream_writes_the_default_story_and_records_the_call() -> None:
    engine = FakeEngine()

    items = collect(engine)

    assert items == [*DEFAULT_STORY, Finish("stop", 5, len(DEFAULT_STORY))]
    assert "".join(DEFAULT_STORY).startswith("Once upon a time")
    assert engine.calls == [FakeCall(MESSAGES, OPTIONS)]
    assert (engine.kind, engine.languages) == ("fake", frozenset({"en", "ja"}))
    assert engine.health().ok


def test_default_story_respects_max_tokens() -> None:
    items = list(FakeEngine().stream(MESSAGES, GenerationOptions(max_tokens=2), threading.Event()))

    assert items == [*DEFAULT_STORY[:2], Finish("length", 5, 2)]


def test_enqueued_scripts_are_used_in_order() -> None:
    engine = FakeEngine()
    engine.enqueue(["a", "b"])
    engine.enqueue(["c"], finish_reason="length")

    assert collect(engine) == ["a", "b", Finish("stop", 5, 2)]
    assert collect(engine) == ["c", Finish("length", 5, 1)]
    assert collect(engine)[-1] == Finish("stop", 5, len(DEFAULT_STORY))


def test_pause_after_waits_for_release() -> None:
    engine = FakeEngine()
    engine.enqueue(["Once ", "upon ", "a time."], pause_after=2)
    stream = engine.stream(MESSAGES, OPTIONS, threading.Event())
    got = [next(stream), next(stream)]
    waiting: list[str | Finish] = []
    reader = threading.Thread(target=lambda: waiting.extend(stream))
    reader.start()

    time.sleep(0.1)
    assert waiting == []  # paused
    engine.release()
    reader.join(timeout=2)

    assert got + waiting == ["Once ", "upon ", "a time.", Finish("stop", 5, 3)]


def test_cancel_while_paused_finishes_as_cancelled() -> None:
    engine = FakeEngine()
    engine.enqueue(["Once ", "upon"], pause_after=1)
    cancel = threading.Event()
    stream = engine.stream(MESSAGES, OPTIONS, cancel)
    assert next(stream) == "Once "

    threading.Timer(0.05, cancel.set).start()
    started = time.monotonic()

    assert list(stream) == [Finish("cancelled", 5, 1)]
    assert time.monotonic() - started < 0.5


def test_release_before_the_pause_lets_the_stream_run_through() -> None:
    engine = FakeEngine()
    engine.enqueue(["a", "b"], pause_after=1)
    engine.release()

    assert collect(engine) == ["a", "b", Finish("stop", 5, 2)]
    with pytest.raises(RuntimeError, match="no stream was enqueued with pause_after"):
        engine.release()


def test_fail_with_raises_after_the_partial_text() -> None:
    engine = FakeEngine()
    engine.enqueue(["Once "], fail_with=EngineError("interrupted", "The line dropped."))
    got: list[str | Finish] = []

    with pytest.raises(EngineError, match=r"The line dropped\.") as info:
        got.extend(engine.stream(MESSAGES, OPTIONS, threading.Event()))

    assert (got, info.value.code) == (["Once "], "interrupted")


def test_finish_reason_none_ends_without_finish() -> None:
    engine = FakeEngine()
    engine.enqueue(["Once "], finish_reason=None)

    assert collect(engine) == ["Once "]


def test_cancel_between_pieces() -> None:
    engine = FakeEngine()
    engine.enqueue(["a", "b", "c"], delay=0.01)
    cancel = threading.Event()
    stream = engine.stream(MESSAGES, OPTIONS, cancel)

    assert next(stream) == "a"
    cancel.set()
    assert list(stream) == [Finish("cancelled", 5, 1)]


def test_tokens_per_second_paces_a_benchmark_stream() -> None:
    engine = FakeEngine(tokens_per_second=100, benchmark_pieces=20)
    started = time.monotonic()

    items = collect(engine)

    elapsed = time.monotonic() - started
    assert len(items) == 21
    assert items[-1] == Finish("length", 5, 20)
    assert 0.18 <= elapsed < 0.6
