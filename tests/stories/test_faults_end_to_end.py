"""A remote model server misbehaving, seen through the whole app: settings, the HTTP API,
the real story runner and the event stream.

The model server is the scripted fake OpenAI-compatible server of
tests/engines/fake_openai_server.py, reached over real HTTP. Each fault must end the story
``failed`` with a reason a person understands, keep the text that arrived before the fault,
and leave the runner able to write the next story.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient

from storybot.pipeline.writer import CLOSING_TOKENS
from storybot.services.components import components
from tests.engines.fake_openai_server import STORY, FakeOpenAIServer, Reply, free_port
from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.stories.support import ask, joined, read_events, wait_for

READ_TIMEOUT = 0.5
FIRST_EVENT_WAIT = 10.0
# What a failure reason must never show a parent: the insides of the program.
JARGON = ("Traceback", "Exception", "httpx", "openai.", "Errno", "None")


def use_remote(client: FlaskClient, base_url: str, *, read_timeout: float = READ_TIMEOUT) -> None:
    """Configure the OpenAI-compatible engine "remote" at ``base_url`` as the default."""
    engines = {
        "local": {"type": "local"},
        "remote": {
            "type": "openai",
            "base_url": base_url,
            "model": "fake-model",
            "languages": ["en", "ja"],
            "connect_timeout": 1.0,
            "read_timeout": read_timeout,
        },
    }
    response = client.patch("/api/settings", json={"engines": engines, "default_engine": "remote"})
    assert response.status_code == 200, response.json


@pytest.fixture
def remote(client: FlaskClient, fake_openai: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    """The fake server configured as the default engine "remote" (read timeout 0.5 s)."""
    use_remote(client, fake_openai.base_url)
    yield fake_openai
    components(client.application).runner.stop()
    components(client.application).engines.close()


def finished(client: FlaskClient, story_id: int) -> dict:
    """The story once it has ended, whatever the end."""
    return wait_for(client, story_id, "done", "failed", "cancelled", "interrupted")


def assert_the_next_story_is_written(client: FlaskClient) -> None:
    story = finished(client, ask(client, "Another story")["id"])
    assert story["status"] == "done", story["failure_reason"]
    assert story["text"] == "".join(STORY)
    assert story["failure_code"] is None


@dataclass(frozen=True)
class Fault:
    reply: Reply
    code: str
    words: tuple[str, ...]
    text: str = ""  # what reached the story before the fault
    extra: dict[str, str] = field(default_factory=dict)


FAULTS = {
    "slow first token": Fault(Reply(first_delay=5), "timeout", ("wrote nothing", "0.5 seconds")),
    "no answer at all": Fault(
        Reply(hang=True), "timeout", ("did not answer within 0.5 seconds", "overloaded")
    ),
    "stall mid-story": Fault(
        Reply(stall_after=2), "timeout", ("stopped writing", "0.5 seconds"), "".join(STORY[:2])
    ),
    "drop mid-stream": Fault(
        Reply(drop_after=2), "interrupted", ("connection", "dropped"), "".join(STORY[:2])
    ),
    "too many requests (429)": Fault(
        Reply(status=429, retry_after="7", error_message="Slow down"),
        "rate_limited",
        ("busy", "too many requests", "try again in about 7 seconds"),
    ),
    "internal server error (500)": Fault(
        Reply(status=500, error_message="CUDA out of memory"),
        "server_error",
        ("internal error", "HTTP 500", "CUDA out of memory"),
    ),
    "malformed JSON chunk": Fault(
        Reply(malformed_after=2), "bad_response", ("could not read",), "".join(STORY[:2])
    ),
    "error event mid-story": Fault(
        Reply(error_after=1, error_message="model crashed"),
        "server_error",
        ("error mid-story", "model crashed"),
        STORY[0],
    ),
    "clean close without finish_reason": Fault(
        Reply(finish_reason=None, send_done=False, usage=False),
        "interrupted",
        ("without saying it was finished",),
        "".join(STORY),
    ),
    "content filter": Fault(
        Reply(finish_reason="content_filter"), "bad_response", ("content filter",), "".join(STORY)
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=list(FAULTS))
def test_a_fault_fails_the_story_keeps_its_text_and_the_next_story_is_written(
    client: FlaskClient, remote: FakeOpenAIServer, fault: Fault
) -> None:
    remote.enqueue(fault.reply)
    story = ask(client)

    failed = finished(client, story["id"])
    assert failed["status"] == "failed"
    assert failed["failure_code"] == fault.code
    reason = failed["failure_reason"]
    assert remote.base_url in reason  # which server to look at
    for word in fault.words:
        assert word in reason
    for word in JARGON:
        assert word not in reason
    assert failed["text"] == fault.text
    assert failed["finished_at"] is not None
    assert failed["duration_seconds"] < 3  # a fault ends the story in seconds, not minutes

    events = read_events(client, story["id"])
    assert events[-1].event == "failed"
    assert events[-1].data["failure_reason"] == reason
    assert events[-1].data["failure_code"] == fault.code
    assert joined(events) == fault.text
    assert len(remote.chat_requests()) == 1  # no silent retry that would start over

    assert_the_next_story_is_written(client)


def test_a_refused_connection_fails_the_story_and_the_runner_goes_on(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    use_remote(client, nowhere)
    story = ask(client)

    failed = finished(client, story["id"])
    assert failed["status"] == "failed"
    assert failed["failure_code"] == "unavailable"
    assert failed["failure_reason"] == (
        f"The model server at {nowhere} refused the connection; is it running?"
    )
    assert failed["text"] == ""
    events = read_events(client, story["id"])
    assert events[-1].event == "failed"
    assert joined(events) == ""

    use_remote(client, remote.base_url)  # the server is back
    assert_the_next_story_is_written(client)


def test_a_viewer_following_the_story_sees_the_text_then_the_failure(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(piece_delay=0.05, drop_after=3))
    story = ask(client)
    events = read_events(client, story["id"])  # follows while it is written
    assert [e.event for e in events if e.event != "status"] == ["text"] * 3 + ["failed"]
    assert joined(events) == "".join(STORY[:3])
    assert events[-1].data["failure_code"] == "interrupted"
    assert events[-1].data["last_seq"] == 3


def test_a_story_cut_by_a_fault_can_be_continued(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(drop_after=2), Reply(pieces=["and ", "got home."]))
    story = ask(client)
    assert finished(client, story["id"])["status"] == "failed"
    response = client.post(f"/api/stories/{story['id']}/continue")
    assert response.status_code == 202, response.json
    done = finished(client, story["id"])
    assert done["status"] == "done", done["failure_reason"]
    assert done["text"] == "".join(STORY[:2]) + "and got home."
    assert done["failure_code"] is None
    sent = remote.chat_requests()[-1].body["messages"]
    assert sent[-2] == {"role": "assistant", "content": "".join(STORY[:2])}


def test_changing_the_settings_while_a_remote_story_is_written_does_not_break_it(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(piece_delay=0.1))
    story = ask(client)
    read_events(client, story["id"], stop_after_texts=1)
    use_remote(client, remote.base_url, read_timeout=5)  # the engine is rebuilt
    done = finished(client, story["id"])
    assert done["status"] == "done", done["failure_reason"]
    assert done["text"] == "".join(STORY)
    assert_the_next_story_is_written(client)


def test_a_queued_story_whose_engine_was_removed_fails_saying_so(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(piece_delay=0.2))
    running = ask(client)
    wait_for(client, running["id"], "running")
    queued = ask(client)
    response = client.patch(
        "/api/settings", json={"engines": {"local": {"type": "local"}}, "default_engine": "local"}
    )
    assert response.status_code == 200, response.json
    failed = finished(client, queued["id"])
    assert failed["status"] == "failed"
    assert failed["failure_code"] == "unavailable"
    assert "'remote'" in failed["failure_reason"]
    assert "Choose another engine" in failed["failure_reason"]
    assert finished(client, running["id"])["status"] == "done"


def test_several_faults_in_a_row_leave_the_runner_healthy(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(drop_after=1), Reply(status=500), Reply(malformed_after=0))
    client.patch("/api/settings", json={"max_stories_per_account": 4})
    stories = [ask(client, f"Story {i}") for i in range(4)]
    ends = [finished(client, s["id"]) for s in stories]
    assert [s["status"] for s in ends] == ["failed", "failed", "failed", "done"]
    assert [s["failure_code"] for s in ends] == [
        "interrupted",
        "server_error",
        "bad_response",
        None,
    ]
    assert ends[-1]["text"] == "".join(STORY)


def test_a_normal_story_through_the_remote_server_is_done_with_its_usage(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    story = ask(client)
    assert story["engine"] == "remote"
    assert story["model"] == "fake-model"

    events = read_events(client, story["id"])
    assert events[-1].event == "done"
    assert joined(events) == "".join(STORY)

    done = client.get(f"/api/stories/{story['id']}").json
    assert done["status"] == "done"
    assert done["text"] == "".join(STORY)
    assert done["title"] == "The Brave Snail"
    assert done["body"].startswith("Once upon a time")
    assert done["failure_code"] is None
    (request,) = remote.chat_requests()
    assert request.body["messages"] == done["messages"]
    # The closing keeps tokens of its own: the body gets the rest.
    assert request.body["max_tokens"] == done["request"]["max_tokens"] - CLOSING_TOKENS
    assert request.body["stream_options"] == {"include_usage": True}
    # the usage chunk: the fake server counts prompt words and content chunks
    prompt_words = sum(len(m["content"].split()) for m in request.body["messages"])
    assert done["prompt_tokens"] == prompt_words
    assert done["completion_tokens"] == len(STORY)
    assert events[-1].data["completion_tokens"] == len(STORY)


def test_a_japanese_reader_is_written_for_by_a_remote_engine_that_writes_japanese(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(
        Reply(pieces=["タイトル：くまとはちみつ\n\n", "むかしむかし、", "くまが いました。"])
    )
    hana = client.post("/api/profiles", json={"name": "はなこ", "language": "ja"}).json
    response = client.post(
        "/api/stories", json={"prompt": "くまの おはなし", "profile_id": hana["id"]}
    )
    assert response.status_code == 202, response.json
    done = wait_for(client, response.json["id"], "done", "failed")
    assert done["status"] == "done", done["failure_reason"]
    assert done["title"] == "くまとはちみつ"
    assert done["body"] == "むかしむかし、くまが いました。"


def test_cancel_mid_stream_stops_within_a_second_and_keeps_the_text(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    words = [f"word{i} " for i in range(200)]
    remote.enqueue(Reply(pieces=words, piece_delay=0.05))  # ten seconds of story
    story = ask(client)
    seen = read_events(client, story["id"], stop_after_texts=3)
    assert joined(seen) == "".join(words[:3])

    started = time.monotonic()
    response = client.post(f"/api/stories/{story['id']}/cancel")
    assert response.status_code == 200
    cancelled = wait_for(client, story["id"], "cancelled", "done", "failed", timeout=5)
    assert time.monotonic() - started < 1.0
    assert cancelled["status"] == "cancelled"
    text = cancelled["text"]
    assert text.startswith("".join(words[:3]))
    assert "".join(words).startswith(text)
    assert text != "".join(words)

    events = read_events(client, story["id"])
    assert events[-1].event == "cancelled"
    assert joined(events) == text
    deadline = time.monotonic() + 2  # the model server is told to stop (connection closed)
    while remote.aborted == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert remote.aborted == 1
    assert_the_next_story_is_written(client)


def test_cancel_while_the_remote_server_is_silent_stops_within_a_second(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    use_remote(client, remote.base_url, read_timeout=30)
    remote.enqueue(Reply(pieces=STORY, stall_after=1))
    story = ask(client)
    read_events(client, story["id"], stop_after_texts=1)

    started = time.monotonic()
    client.post(f"/api/stories/{story['id']}/cancel")
    cancelled = wait_for(client, story["id"], "cancelled", "done", "failed", timeout=5)
    assert time.monotonic() - started < 1.0
    assert cancelled["status"] == "cancelled"
    assert cancelled["text"] == STORY[0]
    assert_the_next_story_is_written(client)


# --- engine health ---------------------------------------------------------------------------


def engines_by_name(client: FlaskClient) -> dict[str, dict]:
    response = client.get("/api/engines")
    assert response.status_code == 200
    return {e["name"]: e for e in response.json["items"]}


def test_engines_lists_both_engines_and_the_remote_one_is_healthy(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    engines = engines_by_name(client)
    assert set(engines) == {"local", "remote"}
    assert engines["remote"]["kind"] == "openai"
    assert engines["remote"]["model"] == "fake-model"
    assert engines["remote"]["languages"] == ["en", "ja"]
    assert engines["remote"]["default"] is True
    assert engines["local"]["default"] is False
    assert engines["remote"]["ok"] is True
    assert engines["remote"]["models"] == ["fake-model"]


def test_a_stopped_model_server_shows_as_down(client: FlaskClient) -> None:
    server = FakeOpenAIServer().start()
    try:
        use_remote(client, server.base_url)
        assert engines_by_name(client)["remote"]["ok"] is True
        ready = client.get("/api/ready")
        assert ready.status_code == 200
        assert ready.json["checks"]["engine"]["ok"] is True
    finally:
        server.stop()
    try:
        engines = engines_by_name(client)
        assert engines["remote"]["ok"] is False
        assert server.base_url in engines["remote"]["detail"]
        assert engines["local"]["ok"] is True
        ready = client.get("/api/ready")
        assert ready.status_code == 503
        assert ready.json["status"] == "unavailable"
        check = ready.json["checks"]["engine"]
        assert check["ok"] is False
        assert check["name"] == "remote"
        assert server.base_url in str(check)
    finally:
        components(client.application).engines.close()


def test_a_model_server_that_refuses_connections_shows_as_down(client: FlaskClient) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    use_remote(client, nowhere)
    try:
        engines = engines_by_name(client)
        assert engines["remote"]["ok"] is False
        assert "refused the connection" in engines["remote"]["detail"]
        assert engines["remote"]["models"] == []
        ready = client.get("/api/ready")
        assert ready.status_code == 503
        check = ready.json["checks"]["engine"]
        assert check["ok"] is False
        assert check["name"] == "remote"
        assert "refused the connection" in str(check)
        assert ready.json["checks"]["database"]["ok"] is True
    finally:
        components(client.application).engines.close()
