"""A cap on open event streams, so that they never take every server thread.

Each open story stream holds one of the server's threads for as long as the
story is followed. Beyond the cap a new stream is refused with 503 and
``Retry-After``, and the threads left over keep answering the API (cancel
included) however many readers are watching.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from storybot.observability.generation_metrics import OPEN_STREAMS


def default_stream_limit(threads: int) -> int:
    """Streams allowed when none is configured: the threads minus a tenth (at least 8) kept
    for the API; never below 1."""
    return max(1, threads - max(8, threads // 10))


class StreamGate:
    """Counts open streams against a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        """Count one more stream; False (counting nothing) when the limit is reached."""
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
        OPEN_STREAMS.inc()
        return True

    def leave(self) -> None:
        """One stream ended."""
        with self._lock:
            self._open -= 1
        OPEN_STREAMS.dec()

    def counted(self, body: Iterable[str]) -> CountedStream:
        """Wrap an entered stream's body so that it leaves when the server closes it."""
        return CountedStream(body, self)


class CountedStream:
    """A response body that leaves the gate once, when the server closes it.

    A ``close()`` method, not a ``finally`` in a generator: the server calls
    it even when the body was never iterated (the client went away first).
    """

    def __init__(self, body: Iterable[str], gate: StreamGate) -> None:
        self._body = body
        self._gate = gate
        self._closed = False

    def __iter__(self) -> Iterator[str]:
        return iter(self._body)

    def close(self) -> None:
        """End the stream (once) and close the body beneath."""
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._gate.leave()
