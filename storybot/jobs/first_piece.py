"""The hand-over of a story's first words, from the model to the readers waiting for them.

On a machine whose cores the model keeps busy, the model's next token
competes for the CPU with saving the first piece and with the followers
sending it, and the first words reach the reader later. So, once per story:

1. after the stream's first piece, the pump holds the engine back (at most
   :data:`ENGINE_WAIT_SECONDS`) until the worker has saved that piece;
2. the worker, having committed it, waits (at most :data:`SEND_WAIT_SECONDS`)
   until the followers that commit woke have sent it and wait for more.

Both waits are short and happen once: a hand-over nobody answers costs only
its wait. ``bench/stream_overhead.py`` measures what each part gains.
"""

from __future__ import annotations

import threading

from storybot.jobs.notify import StoryBus, Woken

ENGINE_WAIT_SECONDS = 0.05
"""How long the engine is held back for its first piece to be saved, at most."""
SEND_WAIT_SECONDS = 0.02
"""How long the worker waits for the woken followers to send the first piece, at most."""


class FirstPiece:
    """One story's first-piece hand-over, shared by its pump and its worker."""

    def __init__(self, bus: StoryBus, story_id: int, send_wait: float = SEND_WAIT_SECONDS):
        self.bus = bus
        self.story_id = story_id
        self.send_wait = send_wait
        self._saved = threading.Event()

    def hold_engine(self) -> None:
        """The pump, after the first piece: wait until it is saved and sent (bounded)."""
        self._saved.wait(ENGINE_WAIT_SECONDS)

    def saved(self, woken: Woken | None) -> None:
        """The worker, after committing the first piece: wait (bounded) until the
        followers ``woken`` by that commit have sent it, then let the engine go on."""
        try:
            if woken is not None and self.send_wait > 0:
                self.bus.wait_for_followers(self.story_id, woken, self.send_wait)
        finally:
            self._saved.set()

    def release(self) -> None:
        """Let the engine go on at once (the story ends, or failed to save)."""
        self._saved.set()
