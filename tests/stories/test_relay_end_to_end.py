"""Two web processes on one PostgreSQL and one Redis: a story written by one streams through
the other as it is written.

Both are real ``storybot serve`` processes; the story's engine is the scripted
fake OpenAI-compatible server (tests/engines/fake_openai_server.py), pausing
between pieces, so the story is still being written while its first events
must already reach the viewer on the other process. Without the relay, that
viewer would hear of it only at its heartbeat (15 s), after the story ended.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from storybot.services.story_events import FINAL_EVENTS
from tests.engines.fake_openai_server import FakeOpenAIServer, Reply
from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.stories.support import Event, parse
from tests.support import LiveServer

PIECES = [f"word{index} " for index in range(24)]
PIECE_DELAY = 0.15  # 24 pieces: about 3.6 s of writing


@pytest.fixture
def two_servers(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two ``storybot serve`` processes sharing the test's PostgreSQL database and Redis."""
    env = {
        "STORYBOT_DATABASE_URL": database_url,
        "STORYBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "STORYBOT_REDIS_PREFIX": f"storybot-test-{secrets.token_hex(4)}:",
        # Each web process writes stories itself: what is tested is the relay alone.
        "STORYBOT_RUNNER": "threads",
        # The limits count in the same Redis, across test runs: out of the way here.
        "STORYBOT_RATE_LIMIT": "100000 per minute",
        "STORYBOT_SIGN_IN_RATE_LIMIT": "100000 per minute",
        "STORYBOT_SIGN_IN_EMAIL_RATE_LIMIT": "100000 per minute",
    }
    servers: list[LiveServer] = []
    try:
        for name in ("writer", "viewer"):
            (tmp_path / name).mkdir()
            # One after the other: each migrates the database and marks stories left
            # running interrupted before it serves.
            server = LiveServer(tmp_path / name, env=env)
            servers.append(server)  # stopped even if it fails to start
            server.start()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


def _events(response: requests.Response) -> Iterator[Event]:
    """The events of an SSE body as they arrive."""
    buffer = ""
    for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
        buffer += chunk
        *blocks, buffer = buffer.split("\n\n")
        for block in blocks:
            yield from parse(block + "\n\n")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_story_written_by_one_process_streams_through_the_other_as_it_is_written(
    two_servers: tuple[LiveServer, LiveServer], fake_openai: FakeOpenAIServer
) -> None:
    writer, viewer = two_servers
    writer.use_openai_server(fake_openai.base_url)
    fake_openai.enqueue(
        Reply(pieces=PIECES, piece_delay=PIECE_DELAY),  # the body
        Reply(pieces=["and they all went home. ", "The end."]),  # the closing
        Reply(pieces=["Title: The Words"]),  # the title
    )

    made = writer.session.post(
        f"{writer.url}/api/stories", json={"prompt": "A story of words."}, timeout=30
    )
    assert made.status_code == 202, made.text
    story_id = made.json()["id"]

    texts: list[Event] = []
    final: Event | None = None
    while_written: list[bool] = []  # per text event: was the story still being written?
    with viewer.session.get(
        f"{viewer.url}/api/stories/{story_id}/events", stream=True, timeout=(5, 30)
    ) as stream:
        assert stream.status_code == 200, stream.text
        for event in _events(stream):
            if event.event == "text":
                texts.append(event)
                state = writer.session.get(f"{writer.url}/api/stories/{story_id}", timeout=10)
                while_written.append(state.json()["status"] == "running")
            elif event.event in FINAL_EVENTS:
                final = event
                break

    story = writer.session.get(f"{writer.url}/api/stories/{story_id}", timeout=10).json()
    assert final is not None
    assert final.event == "done", final.data
    # Every piece once, in order, with no gap: the whole story.
    assert [event.id for event in texts] == list(range(1, story["last_seq"] + 1))
    assert "".join(event.data["text"] for event in texts) == story["text"]
    assert story["text"].startswith("".join(PIECES).strip())
    # The paced pieces reached the other process while the story was being written
    # (the last of them may meet the story's end).
    paced = len(PIECES) - 1
    assert all(while_written[:paced]), while_written
