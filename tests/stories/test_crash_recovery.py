"""A killed server process loses no story: the story goes on from its text and ends done.

These run ``storybot serve`` for real, with the built-in model, and kill it
with SIGKILL mid-story, as the kernel's out-of-memory killer or a crash
inside llama.cpp would.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.support import FollowedStory, LiveServer, child_pids, follow_story


def _story_under_way(server: LiveServer, pieces: int = 4) -> dict:
    """A story asked for, once it has ``pieces`` pieces saved."""
    api = f"{server.url}/api"
    story: dict = server.session.post(
        f"{api}/stories", json={"prompt": "A long voyage", "length": "short"}, timeout=10
    ).json()
    deadline = time.monotonic() + 60
    while (
        server.session.get(f"{api}/stories/{story['id']}", timeout=10).json()["last_seq"] < pieces
    ):
        assert time.monotonic() < deadline, "the story did not start"
        time.sleep(0.05)
    return story


def _assert_whole_and_once(story: dict, seen: FollowedStory) -> None:
    """The viewer saw every piece once, in order, and the story's text is what it saw."""
    assert seen.text_ids == list(range(1, len(seen.text_ids) + 1)), "a gap or a piece twice"
    assert seen.text == story["text"]
    assert seen.events[-1][0] == story["status"]


@pytest.mark.slow
def test_the_server_worker_killed_mid_story_the_story_goes_on_and_ends_done(
    tmp_path: Path, postgres_url: str
) -> None:
    server = LiveServer(tmp_path, env={"STORYBOT_DATABASE_URL": postgres_url}).start()
    try:
        story = _story_under_way(server)
        url = f"{server.url}/api/stories/{story['id']}/events"
        seen: list[FollowedStory] = []
        watching = threading.Event()
        viewer = threading.Thread(
            target=lambda: seen.append(follow_story(url, server.headers, first_event=watching))
        )
        viewer.start()
        assert watching.wait(30)
        assert server.process is not None
        (worker,) = child_pids(server.process.pid)  # gunicorn's worker: the app and the model
        os.kill(worker, signal.SIGKILL)
        viewer.join(180)
        ended = server.ended_story(story["id"], timeout=120)
        assert ended["status"] == "done", ended
        assert ended["resumes"] == 1
        (followed,) = seen
        assert followed.reconnects >= 1  # the viewer's connection died with the worker
        _assert_whole_and_once(ended, followed)
        assert any(name == "status" and data["resumes"] == 1 for name, _, data in followed.events)
        assert server.process.poll() is None  # gunicorn started a new worker; still serving
    finally:
        server.stop()


@pytest.mark.slow
def test_after_the_whole_server_is_killed_its_restart_writes_the_story_on(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    try:
        story = _story_under_way(server)
        before = server.session.get(f"{server.url}/api/stories/{story['id']}", timeout=10).json()
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)  # the whole server, no goodbye
        server.process.wait()
    finally:
        server.stop()
    restarted = LiveServer(tmp_path)
    restarted.data_dir = server.data_dir
    restarted.env["STORYBOT_DATA_DIR"] = str(server.data_dir)
    restarted.start()
    try:
        ended = restarted.ended_story(story["id"], timeout=120)
        assert ended["status"] == "done", ended
        assert ended["resumes"] == 1
        assert ended["text"].startswith(before["text"])  # written on, not started again
        assert len(ended["text"]) > len(before["text"])
        seen = follow_story(f"{restarted.url}/api/stories/{story['id']}/events", restarted.headers)
        _assert_whole_and_once(ended, seen)
    finally:
        restarted.stop()
