"""A story asked for with ``Accept: text/event-stream`` streams in the answer to its POST."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select

from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import Story
from storybot.services.components import components
from tests.stories.support import MOON, ask, joined, read_events, read_stream, wait_for
from tests.support import LiveServer

STREAM = {"Accept": "text/event-stream"}


def _stories(client: FlaskClient) -> int:
    with client.application.app_context():
        return db.session.scalar(select(func.count()).select_from(Story)) or 0


def test_the_answer_is_the_story_then_its_text_as_it_is_written(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    fake_engine.enqueue(MOON)
    response = client.post(
        "/api/stories",
        json={"prompt": "A trip to the moon", "profile_id": reader["id"]},
        headers=STREAM,
        buffered=False,
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    events = read_stream(response)

    story = events[0]
    assert story.event == "story"
    assert response.headers["Location"] == f"/api/stories/{story.data['id']}"
    assert story.data["reader_name"] == "Mia"
    assert story.data["status"] in ("queued", "running")
    assert story.data["messages"] == fake_engine.calls[-1].messages
    assert story.data["trace_id"] == response.headers["X-Trace-Id"]

    assert events[-1].event == "done"
    assert events[-1].data["title"] == "Mia and the Moon"
    assert [e.id for e in events if e.event == "text"] == list(range(1, len(MOON) + 1))
    saved = client.get(f"/api/stories/{story.data['id']}").json
    assert joined(events) == saved["text"] == "".join(MOON)
    # The same story can be followed, or resumed, like any other.
    assert joined(read_events(client, story.data["id"], after=2)) == "".join(MOON[2:])


def test_json_stays_the_default_answer(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(MOON)
    response = client.post(
        "/api/stories",
        json={"prompt": "A trip to the moon"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 202
    assert response.json["id"]
    wait_for(client, response.json["id"], "done")


def test_bad_input_is_a_json_error_and_creates_nothing(client: FlaskClient) -> None:
    before = _stories(client)
    response = client.post("/api/stories", json={"prompt": ""}, headers=STREAM)
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    assert response.json["error"]["message"]
    assert response.json["trace_id"] == response.headers["X-Trace-Id"]
    assert _stories(client) == before


def test_a_refused_stream_creates_no_story(client: FlaskClient, fake_engine: FakeEngine) -> None:
    components(client.application).streams.limit = 1
    fake_engine.enqueue(MOON, pause_after=1)
    story = ask(client)
    following = client.get(f"/api/stories/{story['id']}/events", buffered=False)
    before = _stories(client)

    refused = client.post("/api/stories", json={"prompt": "Another one"}, headers=STREAM)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.json["error"]["code"] == "too_many_streams"
    assert _stories(client) == before

    following.close()
    fake_engine.release()
    wait_for(client, story["id"], "done")


def test_a_failed_request_gives_back_its_place(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    components(client.application).streams.limit = 1
    for _ in range(3):  # a 422 that kept the only place would refuse the story below
        unknown_reader = {"prompt": "x", "profile_id": 999}
        response = client.post("/api/stories", json=unknown_reader, headers=STREAM)
        assert response.status_code == 422
    fake_engine.enqueue(MOON)
    response = client.post("/api/stories", json={"prompt": "x"}, headers=STREAM, buffered=False)
    assert response.status_code == 200
    assert read_stream(response)[-1].event == "done"


def test_regenerate_can_stream_too(client: FlaskClient, fake_engine: FakeEngine) -> None:
    fake_engine.enqueue(MOON)
    first = ask(client)
    wait_for(client, first["id"], "done")
    fake_engine.enqueue(["Title: Again\n\n", "A new ", "story."])
    response = client.post(f"/api/stories/{first['id']}/regenerate", headers=STREAM, buffered=False)
    assert response.status_code == 200
    events = read_stream(response)
    assert events[0].event == "story"
    assert events[0].data["id"] != first["id"]
    assert events[-1].event == "done"
    assert joined(events) == "Title: Again\n\nA new story."


def test_a_real_server_streams_a_story_in_one_request(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    try:
        engines = {"local": {"type": "local"}, "paced": {"type": "fake", "tokens_per_second": 50}}
        settings = {"engines": engines, "default_engine": "paced"}
        assert server.session.patch(f"{server.url}/api/settings", json=settings, timeout=5).ok
        with server.session.post(
            f"{server.url}/api/stories",
            json={"prompt": "A fox"},
            headers=STREAM,
            stream=True,
            timeout=10,
        ) as response:
            assert response.status_code == 200
            assert response.headers["Content-Type"].startswith("text/event-stream")
            names = [
                line.removeprefix("event: ")
                for line in response.iter_lines(decode_unicode=True)
                if line.startswith("event: ")
            ]
        assert names[0] == "story"
        assert "text" in names
        assert names[-1] == "done"
        story = server.session.get(f"{server.url}{response.headers['Location']}", timeout=5).json()
        assert story["status"] == "done"
        assert story["text"]
    finally:
        server.stop()
