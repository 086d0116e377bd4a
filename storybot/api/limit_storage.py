"""The request limits' in-memory counts, expired by the requests themselves.

The ``limits`` library's memory storage starts a timer thread, 10 ms ahead,
to drop the entries that left their window, whenever the previous timer has
ended: under load that is a new thread every 10 ms, about a twentieth of a
simple request's CPU. This storage does the same cleaning in the request
that comes due, at most once per 10 ms and by one request at a time, with no
thread. Counting and windows are the library's own.

It replaces a private method of the library's class (the name-mangled
``__schedule_expiry``); should a later version rename it, this override is
simply never called and the library's timer does the cleaning again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import MemoryStorage

STORAGE_URI = "storybot-memory://"
EXPIRY_INTERVAL_SECONDS = 0.01  # as the library's timer


class InlineExpiryMemoryStorage(MemoryStorage):
    """``memory://`` storage whose old entries are dropped by the requests, not a thread."""

    STORAGE_SCHEME = ["storybot-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._expiring = threading.Lock()
        self._next_expiry = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the library's name)
        """Drop expired entries now when the last cleaning is 10 ms old (one caller at once)."""
        now = time.monotonic()
        if now < self._next_expiry or not self._expiring.acquire(blocking=False):
            return
        try:
            self._next_expiry = now + EXPIRY_INTERVAL_SECONDS
            expire = getattr(self, "_MemoryStorage__expire_events", None)
            if expire is not None:
                expire()
        finally:
            self._expiring.release()
