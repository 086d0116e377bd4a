"""Wake-ups for story followers: "something new was saved for story N".

The database stays the source of truth; this only saves followers from
polling. In one process it is a condition variable; several processes will
share wake-ups through Redis pub/sub behind the same two methods.
"""

from __future__ import annotations

import threading
from collections import defaultdict


class StoryBus:
    """Per-story change counters with a condition variable to wait on."""

    def __init__(self) -> None:
        from storybot.services.story_events import SharedReads

        self._condition = threading.Condition()
        self._versions: defaultdict[int, int] = defaultdict(int)
        self.reads = SharedReads()  # followers of one story share its reads

    def version(self, story_id: int) -> int:
        """The current change counter of a story; pass it to :meth:`wait`."""
        with self._condition:
            return self._versions[story_id]

    def publish(
        self, story_id: int, *, pieces: list[tuple[int, str]] | None = None, after: int = 0
    ) -> None:
        """Tell followers that the story changed (new pieces or a new status).

        A writer that has just committed ``pieces`` (the ones after sequence
        number ``after``) passes them along: followers that had everything
        before them take them from memory instead of reading them back.
        """
        with self._condition:
            self._versions[story_id] += 1
            if pieces:
                state = {"status": "running", "queue_position": None}
                self.reads.offer(story_id, after, self._versions[story_id], (pieces, state))
            self._condition.notify_all()

    def wait(self, story_id: int, seen: int, timeout: float) -> bool:
        """Wait until the story changes after version ``seen``; False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: self._versions[story_id] != seen, timeout)
