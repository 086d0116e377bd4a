"""The OpenAI-compatible engine against a real (fake) HTTP server: streams and faults."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from storybot.engines.base import EngineError, Finish, GenerationOptions, Message
from storybot.engines.openai_compat import OpenAICompatEngine
from storybot.engines.openai_failures import parse_retry_after
from tests.engines.fake_openai_server import STORY, FakeOpenAIServer, MakeEngine, Reply, free_port

MESSAGES: list[Message] = [
    {"role": "system", "content": "You tell gentle bedtime stories."},
    {"role": "user", "content": "A story about a brave snail."},
]
PROMPT_WORDS = 11  # the fake server counts words as prompt tokens
OPTIONS = GenerationOptions(max_tokens=50, temperature=0.5, top_p=0.8)


def run(
    engine: OpenAICompatEngine,
    cancel: threading.Event | None = None,
    options: GenerationOptions = OPTIONS,
) -> tuple[list[str], Finish | EngineError]:
    """Read a whole stream: the text pieces, then its Finish or the EngineError raised."""
    pieces: list[str] = []
    try:
        for item in engine.stream(MESSAGES, options, cancel or threading.Event()):
            if isinstance(item, Finish):
                return pieces, item
            pieces.append(item)
    except EngineError as exc:
        return pieces, exc
    raise AssertionError("the stream ended without a Finish or an EngineError")


def failure(result: Finish | EngineError) -> EngineError:
    """The EngineError of a stream that must have failed."""
    assert isinstance(result, EngineError), f"expected a failure, got {result}"
    return result


def test_normal_stream_yields_the_pieces_then_finish_with_server_usage(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    pieces, result = run(make_openai_engine(fake_openai))

    assert pieces == STORY
    assert result == Finish("stop", PROMPT_WORDS, len(STORY))
    (request,) = fake_openai.chat_requests()
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["messages"] == MESSAGES
    assert request.body["model"] == "fake-model"
    assert (request.body["max_tokens"], request.body["temperature"]) == (50, 0.5)
    assert request.body["top_p"] == 0.8
    assert "seed" not in request.body
    assert "repeat_penalty" not in request.body
    assert request.headers["authorization"] == "Bearer not-needed"


def test_seed_and_api_key_from_the_named_variable_are_sent(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORY_TEST_KEY", "sk-test-123")
    engine = make_openai_engine(fake_openai, api_key_env="STORY_TEST_KEY")

    run(engine, options=GenerationOptions(seed=42))

    (request,) = fake_openai.chat_requests()
    assert request.body["seed"] == 42
    assert request.headers["authorization"] == "Bearer sk-test-123"


def test_words_to_write_on_from_are_sent_as_an_answer_and_an_instruction(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    engine = make_openai_engine(fake_openai)
    unfinished: Message = {"role": "assistant", "content": "Once upon a time, the snail"}
    options = GenerationOptions(max_tokens=20, stop=("\n",))

    list(engine.stream([*MESSAGES, unfinished], options, threading.Event()))

    (request,) = fake_openai.chat_requests()
    sent = request.body["messages"]
    assert sent[:-1] == [*MESSAGES, unfinished]  # its earlier turn, as it was written
    assert sent[-1]["role"] == "user"
    assert "Write on from exactly where your last answer stops" in sent[-1]["content"]
    assert request.body["stop"] == ["\n"]
    assert not engine.continues_text


def test_length_finish_is_mapped(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(pieces=["Once ", "upon"], finish_reason="length"))

    assert run(make_openai_engine(fake_openai)) == (["Once ", "upon"], Finish("length", 11, 2))


def test_missing_usage_is_estimated_from_content_chunks(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(pieces=["a ", "b ", "c"], usage=False))

    assert run(make_openai_engine(fake_openai))[1] == Finish("stop", 0, 3)


def test_a_stream_without_done_marker_but_with_finish_is_complete(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(send_done=False))

    assert run(make_openai_engine(fake_openai)) == (STORY, Finish("stop", 11, len(STORY)))


def test_refused_connection_is_unavailable(make_openai_engine: MakeEngine) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"

    pieces, result = run(make_openai_engine(url))

    error = failure(result)
    assert (pieces, error.code) == ([], "unavailable")
    assert error.reason == f"The model server at {url} refused the connection; is it running?"


def test_unknown_host_is_unavailable(make_openai_engine: MakeEngine) -> None:
    error = failure(run(make_openai_engine("http://storybot-no-such-host.invalid/v1"))[1])

    assert error.code == "unavailable"
    assert "could not reach the model server" in error.reason


def test_no_answer_at_all_times_out(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(hang=True))
    started = time.monotonic()

    error = failure(run(make_openai_engine(fake_openai, read_timeout=0.5))[1])

    assert error.code == "timeout"
    assert "did not answer within 0.5 seconds" in error.reason
    assert time.monotonic() - started < 3


def test_slow_first_token_beyond_read_timeout_times_out(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(first_delay=5))

    pieces, result = run(make_openai_engine(fake_openai, read_timeout=0.5))

    error = failure(result)
    assert (pieces, error.code) == ([], "timeout")
    assert error.reason.endswith("wrote nothing for 0.5 seconds.")


def test_slow_first_token_within_read_timeout_is_fine(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(first_delay=0.3))

    assert run(make_openai_engine(fake_openai, read_timeout=2))[0] == STORY


def test_stall_mid_story_times_out_after_the_partial_text(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(stall_after=2))

    pieces, result = run(make_openai_engine(fake_openai, read_timeout=0.5))

    error = failure(result)
    assert (pieces, error.code) == (STORY[:2], "timeout")
    assert error.reason.endswith("stopped writing for 0.5 seconds.")


def test_dropped_connection_mid_stream_is_interrupted_after_the_partial_text(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(drop_after=2))

    pieces, result = run(make_openai_engine(fake_openai))

    error = failure(result)
    assert (pieces, error.code) == (STORY[:2], "interrupted")
    assert "dropped in the middle of the story" in error.reason


def test_rate_limit_gives_retry_after(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(status=429, retry_after="7", error_message="Slow down"))

    error = failure(run(make_openai_engine(fake_openai))[1])

    assert (error.code, error.retry_after) == ("rate_limited", 7.0)
    assert "busy (too many requests); try again in about 7 seconds" in error.reason
    assert len(fake_openai.chat_requests()) == 1  # no silent SDK retry


def test_retry_after_as_milliseconds_or_date() -> None:
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (parse_retry_after({"retry-after": later}) or 0) <= 30
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_server_error_is_server_error_with_the_servers_message(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(status=500, error_message="CUDA out of memory"))

    error = failure(run(make_openai_engine(fake_openai))[1])

    assert error.code == "server_error"
    assert error.reason == (
        f"The model server at {fake_openai.base_url} had an internal error (HTTP 500): "
        "CUDA out of memory"
    )
    assert len(fake_openai.chat_requests()) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "answered 'not found' (HTTP 404): model 'x' not found. Check the model name"),
        (400, "refused the request (HTTP 400): model 'x' not found"),
        (401, "refused the API key (HTTP 401); check the OPENAI_API_KEY environment variable"),
    ],
)
def test_client_errors_are_bad_request_with_the_servers_message(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine, status: int, expected: str
) -> None:
    fake_openai.enqueue(Reply(status=status, error_message="model 'x' not found"))

    error = failure(run(make_openai_engine(fake_openai))[1])

    assert error.code == "bad_request"
    assert expected in error.reason


def test_malformed_chunk_is_bad_response_after_the_partial_text(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(malformed_after=2))

    pieces, result = run(make_openai_engine(fake_openai))

    error = failure(result)
    assert (pieces, error.code) == (STORY[:2], "bad_response")
    assert "could not read" in error.reason


def test_error_event_inside_the_stream_is_server_error(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(error_after=1, error_message="model crashed"))

    pieces, result = run(make_openai_engine(fake_openai))

    error = failure(result)
    assert (pieces, error.code) == (STORY[:1], "server_error")
    assert error.reason.endswith("reported an error mid-story: model crashed")


def test_clean_close_without_finish_reason_is_interrupted(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(finish_reason=None, send_done=False, usage=False))

    pieces, result = run(make_openai_engine(fake_openai))

    error = failure(result)
    assert (pieces, error.code) == (STORY, "interrupted")
    assert "without saying it was finished" in error.reason


def test_content_filter_finish_is_not_a_finished_story(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(finish_reason="content_filter"))

    error = failure(run(make_openai_engine(fake_openai))[1])

    assert error.code == "bad_response"
    assert "content filter" in error.reason


def test_cancel_mid_stream_closes_the_stream_promptly(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(pieces=[f"word{i} " for i in range(100)], piece_delay=0.05))
    cancel = threading.Event()
    stream = make_openai_engine(fake_openai).stream(MESSAGES, OPTIONS, cancel)

    pieces = [next(stream), next(stream), next(stream)]
    cancel.set()
    cancelled_at = time.monotonic()
    rest = list(stream)

    assert time.monotonic() - cancelled_at < 1
    assert pieces == ["word0 ", "word1 ", "word2 "]
    assert rest == [Finish("cancelled", 0, 3)]
    deadline = time.monotonic() + 1  # the server notices the closed connection
    while fake_openai.aborted == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_openai.aborted == 1


def test_cancel_while_the_server_is_silent_returns_within_a_second(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.enqueue(Reply(first_delay=30))
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    started = time.monotonic()

    try:
        pieces, result = run(make_openai_engine(fake_openai, read_timeout=30), cancel)
    finally:
        timer.cancel()

    assert (pieces, result) == ([], Finish("cancelled", 0, 0))
    assert time.monotonic() - started < 1.3


def test_cancel_before_start_sends_nothing(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    cancel = threading.Event()
    cancel.set()

    assert run(make_openai_engine(fake_openai), cancel) == ([], Finish("cancelled", 0, 0))
    assert fake_openai.chat_requests() == []


def test_health_lists_the_servers_models(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.models = ["fake-model", "other"]

    health = make_openai_engine(fake_openai).health()

    assert (health.ok, health.models) == (True, ["fake-model", "other"])
    assert fake_openai.requests[-1].path == "/v1/models"


def test_health_says_when_the_model_is_missing(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    fake_openai.models = ["llama3.2:latest"]

    health = make_openai_engine(fake_openai).health()

    assert not health.ok
    assert "does not list the model 'fake-model'" in health.detail


def test_health_of_a_server_that_is_down(make_openai_engine: MakeEngine) -> None:
    health = make_openai_engine(f"http://127.0.0.1:{free_port()}/v1").health()

    assert not health.ok
    assert "refused the connection" in health.detail


def test_closing_the_engine_lets_a_running_story_finish(
    fake_openai: FakeOpenAIServer, make_openai_engine: MakeEngine
) -> None:
    engine = make_openai_engine(fake_openai)
    stream = engine.stream(MESSAGES, OPTIONS, threading.Event())
    first = next(stream)

    engine.close()  # e.g. the registry rebuilt it after a settings change

    assert [first, *stream][-1] == Finish("stop", 11, len(STORY))
    error = failure(run(engine)[1])
    assert error.code == "unavailable"
    assert "reconfigured" in error.reason
