"""The request limits' memory storage: the library's counting, no cleaning thread per 10 ms."""

from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from storybot.api.limit_storage import STORAGE_URI, InlineExpiryMemoryStorage


def test_counts_as_the_library_does_and_starts_no_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage = storage_from_string(STORAGE_URI)
    assert isinstance(storage, InlineExpiryMemoryStorage)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("3 per minute")
    assert [limiter.hit(limit, "request", "account:1") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert limiter.hit(limit, "request", "account:2")  # another account, its own count
    assert started == []


def test_entries_out_of_their_window_are_dropped_by_a_later_request() -> None:
    storage = InlineExpiryMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("5 per minute")
    limiter.hit(limit, "request", "account:1")
    (key,) = storage.events
    for entry in storage.events[key]:
        entry.expiry -= 120  # as if made two minutes ago
    storage._next_expiry = 0.0  # the cleaning is due
    limiter.hit(limit, "request", "account:2")
    assert storage.events[key] == []
