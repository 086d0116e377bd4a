"""Saving a story's text as it arrives, in numbered pieces, batched."""

from __future__ import annotations

import time

from sqlalchemy import insert, select, update

from storybot.database import write_intent
from storybot.extensions import db
from storybot.jobs.notify import StoryBus
from storybot.models import Story, StoryPiece, utcnow

FLUSH_SECONDS = 0.1


class PieceWriter:
    """Appends text pieces to a story, committing at most every ``flush_every`` seconds.

    The first piece is committed at once, so the first words never wait for a
    batch. Each commit wakes the story's followers and reports whether someone
    asked to cancel the story (the flag lives in the database, so a cancel from
    any process is seen here).
    """

    def __init__(
        self, story_id: int, next_seq: int, bus: StoryBus, flush_every: float = FLUSH_SECONDS
    ) -> None:
        self.story_id = story_id
        self.next_seq = next_seq
        self.bus = bus
        self.flush_every = flush_every
        self.pieces_written = 0
        self.first_text_after: float | None = None  # monotonic time of the first commit
        self._buffer: list[str] = []
        self._last_flush = 0.0

    @property
    def pending(self) -> bool:
        """Whether pieces wait in the buffer."""
        return bool(self._buffer)

    def add(self, text: str) -> bool:
        """Buffer a piece; flush when due. Returns True when a cancel was requested."""
        if not text:
            return False
        self._buffer.append(text)
        if self.pieces_written == 0 or time.monotonic() - self._last_flush >= self.flush_every:
            return self.flush()
        return False

    def flush(self) -> bool:
        """Commit the buffered pieces; returns True when a cancel was requested."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            # Nothing to write: read the cancel flag without taking the write lock.
            cancel = db.session.scalar(
                select(Story.cancel_requested).where(Story.id == self.story_id)
            )
            db.session.commit()
            return cancel is None or bool(cancel)
        after = self.next_seq - 1
        pieces = list(enumerate(self._buffer, start=self.next_seq))
        # Plain statements, not the unit of work: this runs ten times a second
        # beside the model, and the first one stands between it and the reader.
        with write_intent():
            now = utcnow()
            changes = {"updated_at": now} if self.pieces_written else {"first_text_at": now}
            cancel = db.session.scalar(
                update(Story)
                .where(Story.id == self.story_id)
                .values(changes)
                .returning(Story.cancel_requested)
            )
            if cancel is None:  # deleted while being written
                db.session.rollback()
                return True
            db.session.execute(
                insert(StoryPiece),
                [{"story_id": self.story_id, "seq": seq, "text": text} for seq, text in pieces],
            )
            db.session.commit()
        self._buffer.clear()
        self.next_seq += len(pieces)
        self.pieces_written += len(pieces)
        if self.first_text_after is None:
            self.first_text_after = time.monotonic()
        self.bus.publish(self.story_id, pieces=pieces, after=after)
        return cancel


def next_seq(story_id: int) -> int:
    """The sequence number the story's next piece gets."""
    last = db.session.scalar(
        select(StoryPiece.seq)
        .where(StoryPiece.story_id == story_id)
        .order_by(StoryPiece.seq.desc())
        .limit(1)
    )
    return (last or 0) + 1


def joined_text(story_id: int) -> str:
    """All of a story's saved pieces, joined in order."""
    return saved_text(story_id)[0]


def saved_text(story_id: int) -> tuple[str, int]:
    """A story's saved text and the sequence number of its last piece (0 if none), in one read."""
    rows = db.session.execute(
        select(StoryPiece.seq, StoryPiece.text)
        .where(StoryPiece.story_id == story_id)
        .order_by(StoryPiece.seq)
    ).all()
    return "".join(row.text for row in rows), rows[-1].seq if rows else 0
