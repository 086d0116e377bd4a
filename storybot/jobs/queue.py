"""The queue of stories waiting to be written: the ``story`` table itself.

The order is fair across accounts (families): a queued story's rank is the
number of its account's stories running now plus its place among its
account's queued stories; the smallest rank is written next, and at the same
rank the account served longest ago goes first (:func:`claim_order`). One
family's ten queued stories therefore delay another family's first story by
at most one story. Stories being resumed after their writer stopped
(``queued`` with a ``started_at``) come before all others.

A story is claimed by switching it from ``queued`` to ``running`` in one
write transaction. The candidates are chosen in one query (PostgreSQL allows
no ``FOR UPDATE`` beside window functions), then the first is locked alone,
``SKIP LOCKED``, and switched only if it is still queued; when another worker
has taken it, the next candidate is tried. A restart therefore loses nothing that was
queued, and a cancel is a flag in the database that works from any process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update

from storybot.database import write_intent
from storybot.extensions import db
from storybot.jobs.job import Job
from storybot.jobs.pieces import next_seq
from storybot.jobs.wait_estimate import MAX_TOKENS, Work, estimate_wait, measured_speeds
from storybot.models import Story, StoryStatus, utcnow
from storybot.observability import generation_metrics as metrics

CLAIM_ATTEMPTS = 5  # candidates a worker tries before it waits for the next wake-up


def claim_order() -> Select[Any]:
    """The queued stories in the order workers claim them: ``id``, ``engine``,
    ``max_tokens`` and ``place`` (1 is claimed next), fair across accounts.

    A story's rank is its account's stories running now plus its place among
    the account's queued stories; at the same rank the account whose last
    story started longest ago (or never) goes first, then the oldest id. With
    one worker nothing runs when it claims, so that second key is what takes
    turns: a family that was just served waits for the others' next story.
    Stories with no owner (from before accounts) count as one account.
    """
    resumed_last = case((Story.started_at.is_(None), 1), else_=0)
    queued = (
        select(
            Story.id,
            Story.owner_id,
            Story.engine,
            MAX_TOKENS.label("max_tokens"),
            resumed_last.label("resumed_last"),
            func.row_number()
            .over(partition_by=Story.owner_id, order_by=(resumed_last, Story.id))
            .label("nth"),
        )
        .where(Story.status == StoryStatus.QUEUED)
        .subquery("queued")
    )
    waiting_owners = select(Story.owner_id).where(Story.status == StoryStatus.QUEUED)
    accounts = (
        select(
            Story.owner_id,
            func.sum(case((Story.status == StoryStatus.RUNNING, 1), else_=0)).label("running"),
            func.max(Story.started_at).label("last_started"),
        )
        .where(
            Story.status != StoryStatus.QUEUED,
            or_(Story.owner_id.in_(waiting_owners), Story.owner_id.is_(None)),
        )
        .group_by(Story.owner_id)
        .subquery("accounts")
    )
    rank = func.coalesce(accounts.c.running, 0) + queued.c.nth - 1
    never_served_first = case((accounts.c.last_started.is_(None), 0), else_=1)
    place = func.row_number().over(
        order_by=(
            queued.c.resumed_last,
            rank,
            never_served_first,
            accounts.c.last_started,
            queued.c.id,
        )
    )
    return select(
        queued.c.id, queued.c.engine, queued.c.max_tokens, place.label("place")
    ).select_from(
        # A NULL owner matches the NULL owner's row of ``accounts``: one account.
        queued.outerjoin(accounts, accounts.c.owner_id.is_not_distinct_from(queued.c.owner_id))
    )


def claim_next(writer: str, attempts: int = CLAIM_ATTEMPTS) -> Job | None:
    """Switch the next queued story in the fair order to running, written by ``writer``;
    what writing it needs, or None (nothing queued, or every candidate taken by other
    workers)."""
    with write_intent():
        order = claim_order().subquery("claim_order")
        candidates = list(
            db.session.scalars(select(order.c.id).order_by(order.c.place).limit(attempts))
        )
        for story_id in candidates:
            claimed = _claim(story_id, writer)
            if claimed is not None:
                job, waited = claimed
                left = waiting()
                db.session.commit()
                metrics.QUEUE_DEPTH.set(left)
                if waited is None:
                    metrics.STORIES_RESUMED.inc()
                else:
                    metrics.QUEUE_WAIT.observe(waited)
                return job
        db.session.rollback()
    if not candidates:
        metrics.QUEUE_DEPTH.set(0)
    return None


def _claim(story_id: int, writer: str) -> tuple[Job, float | None] | None:
    """Lock one candidate and switch it to running, unless another worker has it: its
    job, and the seconds it waited in the queue (None for a story taken over to be
    written on: resumed, its wait is not a new story's)."""
    story = db.session.scalar(
        select(Story)
        .where(Story.id == story_id, Story.status == StoryStatus.QUEUED)
        .with_for_update(skip_locked=True)
    )
    if story is None:
        return None
    # Only a take-over queues a story with its start kept; "Continue" clears it.
    resumed = story.started_at is not None
    claimed = db.session.execute(
        update(Story)
        .where(Story.id == story_id, Story.status == StoryStatus.QUEUED)
        .values(
            status=StoryStatus.RUNNING,
            writer_id=writer,
            # A resumed story keeps its start: its timings cover the whole story.
            started_at=func.coalesce(Story.started_at, utcnow()),
            updated_at=utcnow(),
        )
    )
    if not getattr(claimed, "rowcount", 1):
        return None
    waited = None if resumed else max((utcnow() - story.queued_at).total_seconds(), 0.0)
    return Job.of(story, next_seq(story_id)), waited


def queued_ids() -> list[int]:
    """The ids of the stories waiting in the queue."""
    return list(db.session.scalars(select(Story.id).where(Story.status == StoryStatus.QUEUED)))


def waiting() -> int:
    """How many stories wait in the queue."""
    count = db.session.scalar(select(func.count()).where(Story.status == StoryStatus.QUEUED))
    return int(count or 0)


def live_stories(owner_id: int | None) -> int:
    """How many of an account's stories are queued or running."""
    count = db.session.scalar(
        select(func.count()).where(
            Story.owner_id.is_not_distinct_from(owner_id),
            Story.status.in_((StoryStatus.QUEUED, StoryStatus.RUNNING)),
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued story stands: how many stories are written before it, and
    about how long that takes (None until a story of their engines was measured)."""

    position: int
    wait_seconds: int | None


def queue_place(story_id: int, workers: int) -> QueuePlace | None:
    """The place of a queued story in the fair order (None if it is not queued).

    ``workers``: how many stories are written at once, which share the work ahead.
    """
    ahead = work_ahead(story_id)
    if ahead is None:
        return None
    speeds = measured_speeds({work.engine for work in ahead})
    return QueuePlace(len(ahead), estimate_wait(ahead, speeds, workers))


def work_ahead(story_id: int) -> list[Work] | None:
    """The stories written before a queued one: the running ones, then the queued
    ones ahead of it in the fair order (None if it is not queued)."""
    order = claim_order().cte("claim_order")
    mine = select(order.c.place).where(order.c.id == story_id).scalar_subquery()
    queued = db.session.execute(
        select(order.c.id, order.c.engine, order.c.max_tokens)
        .where(order.c.place <= mine)
        .order_by(order.c.place)
    ).all()
    if not queued or queued[-1].id != story_id:
        return None
    now = utcnow()
    running = db.session.execute(
        select(Story.engine, MAX_TOKENS, Story.started_at).where(
            Story.status == StoryStatus.RUNNING
        )
    ).all()
    return [
        Work(engine, tokens, (now - started).total_seconds() if started else 0.0)
        for engine, tokens, started in running
    ] + [Work(row.engine, row.max_tokens) for row in queued[:-1]]
