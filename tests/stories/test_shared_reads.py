"""Followers of one story share its database reads."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from storybot.services import story_events
from storybot.services.story_events import SharedReads


def test_followers_at_the_same_point_share_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    def slow_read(_app: Any, story_id: int, after: int) -> story_events.Read:
        calls.append((story_id, after))
        time.sleep(0.05)
        return [(after + 1, "Once")], {"status": "running", "queue_position": None}

    monkeypatch.setattr(story_events, "_read", slow_read)
    reads = SharedReads()
    start = threading.Barrier(50)
    results: list[story_events.Read] = []

    def follower() -> None:
        start.wait()
        results.append(reads.read(None, 7, 3, version=12))  # type: ignore[arg-type]

    threads = [threading.Thread(target=follower) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert calls == [(7, 3)]
    assert len(results) == 50
    assert all(r[0] == [(4, "Once")] for r in results)
    # a new version, or another place in the story, is a read of its own
    reads.read(None, 7, 3, version=13)  # type: ignore[arg-type]
    reads.read(None, 7, 4, version=13)  # type: ignore[arg-type]
    assert calls == [(7, 3), (7, 3), (7, 4)]


def test_a_shared_answer_goes_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def read(_app: Any, story_id: int, after: int) -> story_events.Read:
        calls.append(after)
        return [], {"status": "running", "queue_position": None}

    monkeypatch.setattr(story_events, "_read", read)
    reads = SharedReads(max_age=0.01)
    reads.read(None, 1, 0, version=0)  # type: ignore[arg-type]
    time.sleep(0.02)  # another process may have written meanwhile
    reads.read(None, 1, 0, version=0)  # type: ignore[arg-type]
    assert calls == [0, 0]
