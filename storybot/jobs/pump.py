"""Reading an engine's stream on a thread of its own, so that saving never waits for it.

The runner reads a story's pieces from a queue that a pump fills. A pump is a
long-lived thread that reads one stream after another, not a thread per
story: llama.cpp's CPU backend (built with OpenMP, as llama-cpp-python builds
it) keeps a team of worker threads per calling thread, and called from a new
thread for every story it built a new team each time, which delayed the first
token by 10-15 ms on 2 cores.

After a stream's first piece the pump holds the engine back until the
runner has saved it (:class:`~storybot.jobs.first_piece.FirstPiece`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from storybot.engines.base import Finish
from storybot.jobs.first_piece import FirstPiece
from storybot.pipeline.writer import StoryItem

END = object()
"""Put after everything else a stream gave: nothing more comes from it."""


class Failure:
    """An exception raised by the engine, carried across the pump's queue."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


Stream = Iterator[StoryItem]
Feed = tuple[Stream, "queue.SimpleQueue[object]", FirstPiece | None]
"""A stream to read, the queue it goes to, and its first piece's hand-over."""


class Pump:
    """A daemon thread that reads engine streams, one at a time, into queues."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._streams: queue.SimpleQueue[Feed | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def feed(
        self,
        stream: Stream,
        items: queue.SimpleQueue[object],
        first: FirstPiece | None = None,
    ) -> None:
        """Read ``stream`` into ``items`` once the streams given before are read:
        its pieces, its Finish (then it is closed) or its :class:`Failure`, then END.

        After the first piece the engine waits for ``first`` to be saved.
        """
        self._streams.put((stream, items, first))

    def retire(self) -> None:
        """Let the thread end after the streams it was given (one may be stuck in an engine)."""
        self._streams.put(None)

    def _serve(self) -> None:
        while (feed := self._streams.get()) is not None:
            read_stream(*feed)


def read_stream(
    stream: Stream, items: queue.SimpleQueue[object], first: FirstPiece | None = None
) -> None:
    """Read one engine stream into ``items``: pieces, its Finish or its failure, then END.

    After the first piece, hold the engine for ``first`` (if given) before reading on.
    """
    waiting = first
    try:
        for item in stream:
            items.put(item)
            if isinstance(item, Finish):
                break
            if waiting is not None:
                waiting.hold_engine()
                waiting = None
    except BaseException as exc:  # carried to the runner, which decides
        items.put(Failure(exc))
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # a failing close must not kill the pump
                items.put(Failure(exc))
        items.put(END)
