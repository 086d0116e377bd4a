"""Saving a story's text as it arrives, in numbered pieces, batched."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from storybot.database import write_intent
from storybot.extensions import db
from storybot.jobs.notify import StoryBus
from storybot.models import Story, StoryPiece, utcnow

FLUSH_SECONDS = 0.1


@dataclass(frozen=True)
class Committed:
    """What a writer publishes with a commit: the pieces after sequence number ``after``
    it has just saved, so that followers that had everything before them need not
    read them back."""

    after: int
    pieces: list[tuple[int, str]]


class PieceWriter:
    """Appends text pieces to a story, committing at most every ``flush_every`` seconds.

    The first piece is committed at once, and alone: an insert and nothing
    else, so the first words never wait for a batch or for the story's row.
    Its time (``first_text_at``) is written with the next commit. Each later
    commit also reports whether someone asked to cancel the story (the flag
    lives in the database, so a cancel from any process is seen here; this
    process's own cancels arrive at once by :meth:`StoryRunner.cancel_local`).
    A story that is no longer ``writer``'s (deleted, or taken over by another
    process that thought this one gone) reads as cancelled: the writing stops.
    Each commit wakes the story's followers.
    """

    def __init__(
        self,
        story_id: int,
        next_seq: int,
        bus: StoryBus,
        writer: str,
        flush_every: float = FLUSH_SECONDS,
    ) -> None:
        self.story_id = story_id
        self.writer = writer  # a story taken over from this writer stops its writing here
        self.next_seq = next_seq
        self.bus = bus
        self.flush_every = flush_every
        self.pieces_written = 0
        self.first_text_after: float | None = None  # monotonic time of the first commit
        self._first_text_at: datetime | None = None  # not yet written to the story's row
        self._buffer: list[str] = []
        self._last_flush = 0.0

    @property
    def pending(self) -> bool:
        """Whether pieces (or the first piece's time) wait to be written."""
        return bool(self._buffer) or self._first_text_at is not None

    def add(self, text: str) -> bool:
        """Buffer a piece; flush when due. Returns True when a cancel was requested."""
        if not text:
            return False
        self._buffer.append(text)
        if self.pieces_written == 0 or time.monotonic() - self._last_flush >= self.flush_every:
            return self.flush()
        return False

    def flush(self) -> bool:
        """Commit what is buffered; returns True when a cancel was requested."""
        self._last_flush = time.monotonic()
        if not self.pending:
            # Nothing to write: read the cancel flag without taking the write lock.
            cancel = db.session.scalar(
                select(Story.cancel_requested).where(
                    Story.id == self.story_id, Story.writer_id == self.writer
                )
            )
            db.session.commit()
            return cancel is None or bool(cancel)
        after = self.next_seq - 1
        pieces = list(enumerate(self._buffer, start=self.next_seq))
        first = self.pieces_written == 0
        # Plain statements, not the unit of work: this runs ten times a second
        # beside the model, and the first one stands between it and the reader.
        with write_intent():
            if first:
                cancel = False
                self._first_text_at = utcnow()
            else:
                changes: dict[str, datetime] = {"updated_at": utcnow()}
                if self._first_text_at is not None:
                    changes["first_text_at"] = self._first_text_at
                cancel = db.session.scalar(
                    update(Story)
                    .where(Story.id == self.story_id, Story.writer_id == self.writer)
                    .values(changes)
                    .returning(Story.cancel_requested)
                )
                if cancel is None:  # deleted, or taken over, while being written
                    db.session.rollback()
                    return True
            try:
                if pieces:
                    db.session.execute(
                        insert(StoryPiece),
                        [{"story_id": self.story_id, "seq": s, "text": t} for s, t in pieces],
                    )
                db.session.commit()
            except IntegrityError:  # the story was deleted meanwhile
                db.session.rollback()
                return True
        if not first:
            self._first_text_at = None
        self._buffer.clear()
        self.next_seq += len(pieces)
        self.pieces_written += len(pieces)
        if self.first_text_after is None:
            self.first_text_after = time.monotonic()
        if pieces:
            self.bus.publish(self.story_id, Committed(after, pieces))
        return bool(cancel)


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
