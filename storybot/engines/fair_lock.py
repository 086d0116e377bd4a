"""A lock that serves its waiters first come, first served."""

from __future__ import annotations

import itertools
import threading
from collections import deque


class FairLock:
    """A mutual-exclusion lock granted in arrival order (FIFO), ticket by ticket.

    ``threading.Lock`` wakes an arbitrary waiter; with several stories queued
    on one model that could starve the earliest. Here every caller draws a
    ticket and the lock goes to the oldest ticket still waiting.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._tickets = itertools.count()
        self._waiting: deque[int] = deque()
        self._held = False

    def acquire(self, cancel: threading.Event | None = None, poll: float = 0.05) -> bool:
        """Wait for our turn and take the lock; return False if ``cancel`` was set first."""
        with self._condition:
            ticket = next(self._tickets)
            self._waiting.append(ticket)
            granted = False
            try:
                while self._held or self._waiting[0] != ticket:
                    if cancel is not None and cancel.is_set():
                        return False
                    self._condition.wait(poll if cancel is not None else None)
                self._held = granted = True
                return True
            finally:
                self._waiting.remove(ticket)
                if not granted:  # the next in line may now be first
                    self._condition.notify_all()

    def release(self) -> None:
        """Give the lock to the next ticket in line."""
        with self._condition:
            if not self._held:
                raise RuntimeError("FairLock.release() called on an unlocked lock")
            self._held = False
            self._condition.notify_all()

    def locked(self) -> bool:
        """Whether someone holds the lock now."""
        with self._condition:
            return self._held

    def waiting(self) -> int:
        """How many callers are waiting for their turn."""
        with self._condition:
            return len(self._waiting)

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
