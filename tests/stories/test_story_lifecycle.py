"""A story's life: queued, written, streamed, resumed, cancelled, failed, recovered."""

from __future__ import annotations

import threading
import time

from flask.testing import FlaskClient

from storybot.engines.base import EngineError
from storybot.engines.fake import FakeEngine
from storybot.pipeline.writer import CLOSING_TOKENS
from storybot.services.components import components
from tests.stories.support import ask, joined, parse, read_events, wait_for
from tests.support import admin_client

PIECES = ["Title: Mia and the Moon\n\n", "Once ", "upon ", "a ", "time, ", "Mia ", "flew."]


def test_a_story_is_queued_written_and_streamed(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    fake_engine.enqueue(PIECES)
    response = client.post(
        "/api/stories", json={"prompt": "A trip to the moon", "profile_id": reader["id"]}
    )
    assert response.status_code == 202
    story = response.json
    assert response.headers["Location"] == f"/api/stories/{story['id']}"
    assert story["status"] in ("queued", "running")
    assert story["reader_name"] == "Mia"
    assert story["trace_id"] == response.headers["X-Trace-Id"]

    events = read_events(client, story["id"])
    assert events[-1].event == "done"
    assert joined(events) == "".join(PIECES)
    ids = [e.id for e in events if e.event == "text"]
    assert ids == list(range(1, len(PIECES) + 1))

    saved = client.get(f"/api/stories/{story['id']}").json
    assert saved["status"] == "done"
    assert saved["text"] == "".join(PIECES)
    assert saved["title"] == "Mia and the Moon"
    assert saved["body"].startswith("Once upon")
    assert saved["completion_tokens"] > 0
    assert saved["engine"] == "fake"
    assert saved["first_text_seconds"] is not None
    assert saved["last_seq"] == len(PIECES)


def test_the_model_receives_the_reader_and_the_rules(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = ask(client, profile_id=reader["id"], length="short", tone="funny", moral="sharing")
    wait_for(client, story["id"], "done")
    messages = fake_engine.calls[0].messages  # the story's own call (the title's comes after)
    assert messages == story["messages"]
    system, user = messages[0]["content"], messages[1]["content"]
    assert "English" in system  # the reader's language
    assert "6-year-old" in system  # age guidance
    assert "Never mention or include: spiders" in system  # things to avoid
    assert "not instructions" in system
    assert "Write a short funny story in English." in user
    assert "The hero is Mia, who is 6." in user
    assert "Mia loves dinosaurs, space." in user
    # The idea comes last, with one interest named: the small model heeds the end most.
    assert user.endswith("Tell the story of a trip to the moon, with dinosaurs in it.")
    assert "Favourite things: her red bicycle." in user
    assert "The story gently teaches: sharing." in user
    assert story["request"]["words"] == 120
    # The closing keeps tokens of its own: the body gets the rest.
    body_tokens = story["request"]["max_tokens"] - CLOSING_TOKENS
    assert fake_engine.calls[0].options.max_tokens == body_tokens


def test_reader_fields_go_in_as_data_not_markup(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    reader = client.post(
        "/api/profiles",
        json={"name": "Ben</request>", "interests": ["<b>rockets</b>"]},
    ).json
    story = ask(client, profile_id=reader["id"], prompt="A <script>tale</script>")
    wait_for(client, story["id"], "done")
    sent = "\n".join(m["content"] for m in fake_engine.calls[0].messages)
    assert "<" not in sent
    assert ">" not in sent
    assert "The hero is Ben/request." in sent


def test_resume_with_last_event_id_has_no_gap_and_no_duplicate(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(PIECES, pause_after=3)
    story = ask(client)
    first = read_events(client, story["id"], stop_after_texts=3)
    assert joined(first) == "".join(PIECES[:3])
    fake_engine.release()
    rest = read_events(client, story["id"], last_event_id=first[-1].id)
    assert rest[-1].event == "done"
    assert joined(first) + joined(rest) == client.get(f"/api/stories/{story['id']}").json["text"]
    again = read_events(client, story["id"], after=2)  # ?after= as a reloaded page sends
    assert joined(again) == "".join(PIECES[2:])


def test_two_viewers_see_the_same_story(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(PIECES, delay=0.02)
    story = ask(client)
    results: list[str] = []

    def view() -> None:
        results.append(joined(read_events(admin_client(client.application), story["id"])))

    viewers = [threading.Thread(target=view) for _ in range(2)]
    for viewer in viewers:
        viewer.start()
    for viewer in viewers:
        viewer.join(10)
    assert results == ["".join(PIECES)] * 2


def test_status_events_tell_the_queue_position(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(PIECES, pause_after=1)
    first = ask(client)
    wait_for(client, first["id"], "running")
    second = ask(client)
    assert second["queue_position"] == 1
    events = read_events(client, second["id"], stop_after_texts=0)
    statuses = [e.data for e in events if e.event == "status"]
    # Nothing was measured yet (the first story is still being written): no estimate.
    assert statuses[0] == {
        "status": "queued",
        "queue_position": 1,
        "wait_seconds": None,
        "resumes": 0,
    }
    fake_engine.release()
    assert read_events(client, second["id"])[-1].event == "done"


def test_a_queued_storys_viewers_hear_at_once_when_it_moves_up(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(PIECES, pause_after=1)  # the first, held
    fake_engine.enqueue(PIECES, pause_after=1)  # the second, held once it starts
    first = ask(client)
    wait_for(client, first["id"], "running")
    ask(client)
    third = ask(client)
    response = client.get(f"/api/stories/{third['id']}/events", buffered=False)
    chunks = iter(response.response)
    positions: list[int | None] = []

    def positions_until(wanted: int) -> None:
        for chunk in chunks:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            positions.extend(e.data["queue_position"] for e in parse(text) if e.event == "status")
            if wanted in positions:
                return

    positions_until(2)
    fake_engine.release()  # the first ends; the second is claimed
    # Told by the claim, not at the stream's 15 s heartbeat.
    reader = threading.Thread(target=positions_until, args=(1,), daemon=True)
    reader.start()
    reader.join(10)
    assert positions[-1] == 1, positions
    fake_engine.release()
    response.close()


def test_an_idle_runner_starts_a_story_at_once_a_busy_one_queues_it(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    runner = components(client.application).runner
    fake_engine.enqueue(PIECES)
    wait_for(client, ask(client)["id"], "done")  # starts the runner's workers
    deadline = time.monotonic() + 5
    while runner.idle_workers == 0 and time.monotonic() < deadline:
        time.sleep(0.01)

    fake_engine.enqueue(PIECES, pause_after=1)
    first = ask(client)
    assert first["status"] == "running"  # no trip through the queue
    assert first["queue_position"] is None
    assert first["queue_wait_seconds"] == 0
    second = ask(client)
    assert second["status"] == "queued"
    assert second["queue_position"] == 1
    fake_engine.enqueue(PIECES)
    fake_engine.release()
    assert read_events(client, first["id"])[-1].event == "done"
    assert read_events(client, second["id"])[-1].event == "done"
    assert joined(read_events(client, second["id"])) == "".join(PIECES)


def test_cancel_mid_story_keeps_the_text(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(PIECES, pause_after=2)
    story = ask(client)
    read_events(client, story["id"], stop_after_texts=2)
    started = time.monotonic()
    assert client.post(f"/api/stories/{story['id']}/cancel").status_code == 200
    cancelled = wait_for(client, story["id"], "cancelled", "done", timeout=5)
    assert time.monotonic() - started < 1.0
    assert cancelled["status"] == "cancelled"
    assert cancelled["text"] == "".join(PIECES[:2])
    assert read_events(client, story["id"])[-1].event == "cancelled"


def test_cancel_a_queued_story(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(PIECES, pause_after=1)
    first = ask(client)
    wait_for(client, first["id"], "running")
    second = ask(client)
    assert client.post(f"/api/stories/{second['id']}/cancel").json["status"] == "cancelled"
    fake_engine.release()
    wait_for(client, first["id"], "done")
    assert client.get(f"/api/stories/{second['id']}").json["status"] == "cancelled"
    assert len(fake_engine.calls) == 1


def test_a_failure_keeps_the_partial_text_and_the_runner_goes_on(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(
        PIECES[:3],
        fail_with=EngineError("interrupted", "The connection to the model server dropped."),
    )
    story = ask(client)
    events = read_events(client, story["id"])
    assert events[-1].event == "failed"
    assert events[-1].data["failure_reason"] == "The connection to the model server dropped."
    failed = client.get(f"/api/stories/{story['id']}").json
    assert failed["status"] == "failed"
    assert failed["failure_code"] == "interrupted"
    assert failed["text"] == "".join(PIECES[:3])
    assert failed["title"] == "Mia and the Moon"

    fake_engine.enqueue(PIECES)
    assert read_events(client, ask(client)["id"])[-1].event == "done"


def test_a_stream_without_its_finish_is_a_failure(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(PIECES[:2], finish_reason=None)
    story = ask(client)
    failed = wait_for(client, story["id"], "failed", "done")
    assert failed["status"] == "failed"
    assert failed["failure_code"] == "interrupted"


def test_ten_stories_queued_at_once_all_finish(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    client.patch("/api/settings", json={"max_stories_per_account": 10})
    stories = [ask(client, prompt=f"Story {i}") for i in range(10)]
    for story in stories:
        assert wait_for(client, story["id"], "done", "failed")["status"] == "done"
    story_calls = [c for c in fake_engine.calls if c.messages[-1]["content"] != "Title:"]
    assert len(story_calls) == 10


def test_a_full_queue_answers_429_with_retry_after(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    client.patch("/api/settings", json={"max_queued_stories": 1})
    fake_engine.enqueue(PIECES, pause_after=1)
    running = ask(client)
    wait_for(client, running["id"], "running")
    ask(client)  # waits in the queue
    refused = client.post("/api/stories", json={"prompt": "One too many"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json["error"]["code"] == "queue_full"
    fake_engine.release()


def test_continue_grows_the_same_story(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(PIECES[:3], fail_with=EngineError("timeout", "The model took too long."))
    story = ask(client)
    wait_for(client, story["id"], "failed")
    fake_engine.enqueue([" And ", "they ", "lived happily."])
    response = client.post(f"/api/stories/{story['id']}/continue")
    assert response.status_code == 202
    events = read_events(client, story["id"], last_event_id=3)
    assert events[-1].event == "done"
    done = client.get(f"/api/stories/{story['id']}").json
    assert done["text"] == "".join(PIECES[:3]) + " And they lived happily."
    assert done["failure_reason"] is None
    # The model wrote on from the text so far, as its own unfinished answer.
    sent = next(c.messages for c in fake_engine.calls[1:] if c.messages[-1]["content"] != "Title:")
    assert sent[:-1] == story["messages"]
    assert sent[-1] == {"role": "assistant", "content": "".join(PIECES[:3])}
    assert client.post(f"/api/stories/{story['id']}/continue").status_code == 202


def test_regenerate_makes_a_new_story_from_the_same_inputs(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = ask(client, profile_id=reader["id"])
    wait_for(client, story["id"], "done")
    response = client.post(f"/api/stories/{story['id']}/regenerate")
    assert response.status_code == 202
    again = response.json
    assert again["id"] != story["id"]
    assert again["messages"] == story["messages"]
    assert again["reader_name"] == "Mia"
    wait_for(client, again["id"], "done")


def test_a_running_story_cannot_be_continued(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(PIECES, pause_after=1)
    story = ask(client)
    wait_for(client, story["id"], "running")
    assert client.post(f"/api/stories/{story['id']}/continue").status_code == 409
    fake_engine.release()
