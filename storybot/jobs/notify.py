"""Wake-ups for story followers: "something new was saved for story N".

The database stays the source of truth; this only saves followers from
polling. In one process it is a condition variable per followed story (all
sharing one lock), so a change wakes that story's followers only. Several
processes share wake-ups through an *outbox* (:meth:`StoryBus.send_to`): every
publish is also handed to it, and what other processes published comes back
through :meth:`StoryBus.deliver`, which is not sent on. The relay that carries
them (Redis pub/sub, :mod:`storybot.jobs.relay`) is no part of the bus.

A publish may carry a payload the bus does not read (the writer passes the
pieces it has just committed); subscribers get every publish with its payload
and the story's new version, which lets the event stream's shared reads, a
layer above, keep what the writer already knows without the bus knowing them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

Subscriber = Callable[[int, int, object], None]
"""Told of every publish: the story's id, its new version, and the publish's payload."""

Outbox = Callable[[int, object], None]
"""Given every publish of this process (the story's id and the payload) to pass on to the
others; called outside the bus's lock, from the publisher's thread, so it must be quick."""


@dataclass(frozen=True)
class Woken:
    """What :meth:`StoryBus.publish` woke: ``followers`` of the story, whose
    calls of :meth:`StoryBus.wait` numbered ``arrivals`` at that moment."""

    followers: int
    arrivals: int


class _Followers:
    """The followers waiting on one story right now."""

    def __init__(self, lock: threading.Lock) -> None:
        self.changed = threading.Condition(lock)
        self.waiting = 0


class StoryBus:
    """Per-story change counters, and conditions to wait on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: defaultdict[int, int] = defaultdict(int)
        self._followers: dict[int, _Followers] = {}
        self._arrivals: defaultdict[int, int] = defaultdict(int)  # calls of wait, per story
        # Told whenever a follower starts waiting: see wait_for_followers.
        self._back = threading.Condition(self._lock)
        self._watching_back = 0
        self._subscribers: list[Subscriber] = []
        self._outbox: Outbox | None = None

    def send_to(self, outbox: Outbox) -> None:
        """Hand every publish from now on to ``outbox`` too (the relay to other processes)."""
        self._outbox = outbox

    def subscribe(self, subscriber: Subscriber) -> None:
        """Tell ``subscriber`` of every publish from now on (called with the bus locked:
        it must be quick and must not publish)."""
        with self._lock:
            self._subscribers.append(subscriber)

    def version(self, story_id: int) -> int:
        """The current change counter of a story; pass it to :meth:`wait`."""
        with self._lock:
            return self._versions[story_id]

    def publish(self, story_id: int, payload: object = None) -> Woken:
        """Tell followers that the story changed (new pieces or a new status), and the
        subscribers, with ``payload``; then the outbox, if any. Returns the followers it
        woke here, for :meth:`wait_for_followers`."""
        woken = self.deliver(story_id, payload)
        outbox = self._outbox
        if outbox is not None:
            outbox(story_id, payload)
        return woken

    def deliver(self, story_id: int, payload: object = None) -> Woken:
        """A publish in this process only: what the relay calls with another process's
        publishes, which must not go back out."""
        with self._lock:
            self._versions[story_id] += 1
            for subscriber in self._subscribers:
                subscriber(story_id, self._versions[story_id], payload)
            followers = self._followers.get(story_id)
            if followers is None:
                return Woken(0, self._arrivals[story_id])
            followers.changed.notify_all()
            return Woken(followers.waiting, self._arrivals[story_id])

    def wake_every_follower(self) -> int:
        """Wake the followers of every story followed now, as a publish without payload
        would: they read the database again. For when publishes may have been missed
        (the relay was cut off); returns the number of stories."""
        with self._lock:
            followed = list(self._followers)
        for story_id in followed:
            self.deliver(story_id)
        return len(followed)

    def wait(self, story_id: int, seen: int, timeout: float) -> bool:
        """Wait until the story changes after version ``seen``; False on timeout."""
        with self._lock:
            if self._versions[story_id] != seen:
                return True
            followers = self._followers.get(story_id)
            if followers is None:
                followers = self._followers[story_id] = _Followers(self._lock)
            followers.waiting += 1
            self._arrivals[story_id] += 1
            if self._watching_back:
                self._back.notify_all()
            try:
                return followers.changed.wait_for(lambda: self._versions[story_id] != seen, timeout)
            finally:
                followers.waiting -= 1
                if followers.waiting == 0:
                    del self._followers[story_id]

    def wait_for_followers(self, story_id: int, woken: Woken, timeout: float) -> bool:
        """Wait until the followers ``woken`` by a publish wait on the story again
        (they have sent what they were woken for); False after ``timeout``."""
        if woken.followers <= 0:
            return True
        with self._lock:
            self._watching_back += 1
            try:
                return self._back.wait_for(
                    lambda: self._arrivals[story_id] - woken.arrivals >= woken.followers, timeout
                )
            finally:
                self._watching_back -= 1
