"""Open event streams are capped below the server's threads: beyond the cap, 503 + Retry-After."""

from __future__ import annotations

import time
from pathlib import Path

from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from storybot.services.components import components
from storybot.services.stream_gate import default_stream_limit
from tests.stories.support import MOON, ask
from tests.support import LiveServer


def test_a_stream_beyond_the_cap_is_refused_until_one_closes(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    components(client.application).streams.limit = 1
    fake_engine.enqueue(MOON, pause_after=1)
    story = ask(client)
    first = client.get(f"/api/stories/{story['id']}/events", buffered=False)
    assert first.status_code == 200

    refused = client.get(f"/api/stories/{story['id']}/events")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.json["error"]["code"] == "too_many_streams"
    assert refused.json["trace_id"] == refused.headers["X-Trace-Id"]
    assert client.get(f"/api/stories/{story['id']}").status_code == 200  # the API still answers

    first.close()  # the reader leaves, even before reading anything
    again = client.get(f"/api/stories/{story['id']}/events", buffered=False)
    assert again.status_code == 200
    again.close()
    fake_engine.release()


def test_the_default_cap_keeps_threads_for_the_api() -> None:
    assert default_stream_limit(600) == 540
    assert default_stream_limit(32) == 24
    assert default_stream_limit(4) == 1


def test_a_real_server_frees_the_place_of_a_reader_who_left(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, env={"STORYBOT_MAX_STREAMS": "1"}).start()
    try:
        engines = {"local": {"type": "local"}, "paced": {"type": "fake", "tokens_per_second": 20}}
        settings = {"engines": engines, "default_engine": "paced"}
        assert server.session.patch(f"{server.url}/api/settings", json=settings, timeout=5).ok
        story = server.session.post(
            f"{server.url}/api/stories", json={"prompt": "A fox"}, timeout=5
        )
        events = f"{server.url}/api/stories/{story.json()['id']}/events"

        reader = server.session.get(events, stream=True, timeout=5)
        assert reader.status_code == 200
        next(reader.iter_lines())  # following
        refused = server.session.get(events, timeout=5)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"

        reader.close()  # the tab is closed: the server notices at its next write
        deadline = time.monotonic() + 10
        while True:
            retry = server.session.get(events, stream=True, timeout=5)
            if retry.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert retry.status_code == 200
        retry.close()
    finally:
        server.stop()
