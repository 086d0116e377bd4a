"""The queue of stories waiting to be written: the ``story`` table itself.

A story is claimed by switching it from ``queued`` to ``running`` in one
write transaction, oldest first, rows locked as they are chosen (PostgreSQL
skips the ones another worker is claiming). A restart therefore loses nothing
that was queued, and a cancel is a flag in the database that works from any
process.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, update

from storybot.database import write_intent
from storybot.extensions import db
from storybot.jobs.job import Job
from storybot.jobs.pieces import next_seq
from storybot.models import Story, StoryStatus, utcnow
from storybot.observability import generation_metrics as metrics


def claim_next(writer: str) -> Job | None:
    """Switch the next queued story to running, written by ``writer``; what writing it
    needs, or None. Stories resumed after their writer stopped (queued again with
    their start kept) come first, then the oldest."""
    with write_intent():
        story = db.session.scalar(
            select(Story)
            .where(Story.status == StoryStatus.QUEUED)
            .order_by(Story.started_at.is_(None), Story.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if story is None:
            db.session.rollback()
            metrics.QUEUE_DEPTH.set(0)
            return None
        claimed = db.session.execute(
            update(Story)
            .where(Story.id == story.id, Story.status == StoryStatus.QUEUED)
            .values(
                status=StoryStatus.RUNNING,
                writer_id=writer,
                started_at=func.coalesce(Story.started_at, utcnow()),
                updated_at=utcnow(),
            )
        )
        job = Job.of(story, next_seq(story.id))
        left = waiting()
        db.session.commit()
    metrics.QUEUE_DEPTH.set(left)
    if not getattr(claimed, "rowcount", 1):
        return None
    return job


def waiting() -> int:
    """How many stories wait in the queue."""
    count = db.session.scalar(select(func.count()).where(Story.status == StoryStatus.QUEUED))
    return int(count or 0)


def queue_position(story_id: int) -> int:
    """How many stories are ahead of a queued one (running ones included)."""
    ahead = db.session.scalar(
        select(func.count()).where(
            or_(
                Story.status == StoryStatus.RUNNING,
                (Story.status == StoryStatus.QUEUED) & (Story.id < story_id),
            )
        )
    )
    return int(ahead or 0)
