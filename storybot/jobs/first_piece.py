"""The hand-over of a story's first words, from the model to the readers waiting for them.

On a machine whose cores the model keeps busy, the model's next token
competes for the CPU with saving the first piece, and the first words reach
the reader later. So, once per story, after the stream's first piece, the
pump holds the engine back (at most :data:`ENGINE_WAIT_SECONDS`) until the
worker has saved that piece. A hand-over nobody answers costs only its wait.

The worker once also waited (at most 20 ms) for the followers its first
commit woke to send the piece; ``bench/stream_overhead.py --variants``
showed that wait gained nothing (time to first text -2 ms new, 0 ms cached,
against the default in the same rounds) and cost speed, so it was dropped
(docs/performance.md).
"""

from __future__ import annotations

import threading

ENGINE_WAIT_SECONDS = 0.05
"""How long the engine is held back for its first piece to be saved, at most."""


class FirstPiece:
    """One story's first-piece hand-over, shared by its pump and its worker."""

    def __init__(self) -> None:
        self._saved = threading.Event()

    def hold_engine(self) -> None:
        """The pump, after the first piece: wait until it is saved (bounded)."""
        self._saved.wait(ENGINE_WAIT_SECONDS)

    def saved(self) -> None:
        """The worker, after committing the first piece: let the engine go on."""
        self._saved.set()

    def release(self) -> None:
        """Let the engine go on at once (the story ends, or failed to save)."""
        self._saved.set()
