"""Heartbeats: which process writes which story, and taking over a story whose writer is gone.

Every process with a story runner has a row in ``story_worker`` and beats it
every :data:`BEAT_SECONDS`; a running story names its writer. With each beat
the process also sweeps: a running story whose writer has not beaten for
:data:`WRITER_TIMEOUT_SECONDS`, whose writer's row is gone, or whose writer
was a process on this host that no longer exists, is taken over. It goes
back to the head of the queue to be written on from its saved text, once; a
story whose writer dies again (or whose admin turned resuming off) ends
``interrupted``, its text kept. The database is the only record: the sweep of
any process, on any host, finds the same stories.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select, update

from storybot.database import write_intent
from storybot.extensions import db
from storybot.jobs import lifecycle
from storybot.models import Story, StoryStatus, StoryWorker, utcnow
from storybot.observability import generation_metrics as metrics

log = logging.getLogger(__name__)

BEAT_SECONDS = 2.0
"""How often a process says it is alive."""
WRITER_TIMEOUT_SECONDS = 10.0
"""A writer silent this long is gone (five beats missed: a busy database may delay one)."""
MAX_RESUMES = 1
"""Times a story goes on by itself after its writer stopped; after that it ends interrupted."""
FORGET_AFTER = timedelta(hours=1)
"""A worker row this old, with no story left, is deleted."""


@dataclass(frozen=True)
class WorkerIdentity:
    """Who a writer is: a process on a host, and a random part so ids are never reused."""

    id: str
    hostname: str
    pid: int
    kind: str

    @classmethod
    def of_this_process(cls, kind: str) -> WorkerIdentity:
        """A new identity for this process (``kind``: "serve" or "worker")."""
        hostname, pid = socket.gethostname()[:255], os.getpid()
        return cls(f"{hostname[:60]}:{pid}:{secrets.token_hex(4)}", hostname, pid, kind)


@dataclass(frozen=True)
class Takeover:
    """A story taken from a writer that is gone: queued to go on, or ended interrupted."""

    story_id: int
    resumed: bool


def beat(me: WorkerIdentity) -> None:
    """Record that this process is alive now (its row is made at the first beat)."""
    now = utcnow()
    with write_intent():
        found = db.session.execute(
            update(StoryWorker).where(StoryWorker.id == me.id).values(beat_at=now)
        )
        if not getattr(found, "rowcount", 0):
            db.session.add(
                StoryWorker(
                    id=me.id,
                    hostname=me.hostname,
                    pid=me.pid,
                    kind=me.kind,
                    started_at=now,
                    beat_at=now,
                )
            )
        db.session.commit()
    metrics.WORKER_HEARTBEATS.inc()


def retire(me: WorkerIdentity) -> None:
    """Remove this process's row as it stops: any story it still names is taken over
    at the next sweep of any process, without waiting for the timeout."""
    with write_intent():
        db.session.execute(delete(StoryWorker).where(StoryWorker.id == me.id))
        db.session.commit()


def _alive_here(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


def _gone(
    writer_id: str | None,
    worker: StoryWorker | None,
    me: WorkerIdentity | None,
    now: datetime,
) -> bool:
    """Whether a running story's writer is gone (never this process itself)."""
    if me is not None and writer_id == me.id:
        return False
    if worker is None:  # no writer named, or its row removed as it stopped
        return True
    if worker.beat_at < now - timedelta(seconds=WRITER_TIMEOUT_SECONDS):
        return True
    here = me.hostname if me is not None else socket.gethostname()[:255]
    return worker.hostname == here and not _alive_here(worker.pid)


def orphans(me: WorkerIdentity | None, now: datetime | None = None) -> list[tuple[int, str | None]]:
    """The running stories whose writer is gone: their ids and the writer they name."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Story.id, Story.writer_id, StoryWorker)
        .outerjoin(StoryWorker, StoryWorker.id == Story.writer_id)
        .where(Story.status == StoryStatus.RUNNING)
    ).all()
    db.session.commit()
    return [(row[0], row[1]) for row in rows if _gone(row[1], row[2], me, now)]


def take_over(story_id: int, writer_id: str | None, *, resume: bool) -> Takeover | None:
    """Take one story from a writer that is gone: back to the head of the queue to go on
    from its text (``resume``, and not resumed before), else end it interrupted.

    None when another process took it first, or its writer came back meanwhile.
    """
    named = Story.writer_id.is_(None) if writer_id is None else Story.writer_id == writer_id
    with write_intent():
        story = db.session.scalar(
            select(Story)
            .where(Story.id == story_id, Story.status == StoryStatus.RUNNING, named)
            .with_for_update(skip_locked=True)
        )
        if story is None:
            db.session.rollback()
            return None
        again = story.resumes >= MAX_RESUMES
        if story.cancel_requested:  # cancelled as its writer went: it ends cancelled
            lifecycle.cancelled(story)
            db.session.commit()
            return Takeover(story_id, resumed=False)
        if resume and not again:
            # Queued with its start kept: the queue takes resumed stories first.
            story.status = StoryStatus.QUEUED
            story.writer_id = None
            story.resumes += 1
            story.cancel_requested = False
            story.updated_at = utcnow()
        else:
            lifecycle.interrupt(story, "writer_lost" if again else "restart")
        db.session.commit()
    outcome = "resumed" if resume and not again else "interrupted"
    metrics.TAKEOVERS.labels(outcome).inc()
    log.warning(
        "story %s: its writer %s is gone; the story is %s",
        story_id,
        writer_id or "(none)",
        "queued to go on from its text" if outcome == "resumed" else "interrupted, text kept",
    )
    return Takeover(story_id, outcome == "resumed")


def sweep(me: WorkerIdentity | None, *, resume: bool) -> list[Takeover]:
    """Take over every running story whose writer is gone; forget long-silent workers."""
    taken = [
        found
        for story_id, writer_id in orphans(me)
        if (found := take_over(story_id, writer_id, resume=resume)) is not None
    ]
    with write_intent():
        db.session.execute(delete(StoryWorker).where(StoryWorker.beat_at < utcnow() - FORGET_AFTER))
        db.session.commit()
    return taken


class Heartbeat:
    """A daemon thread that beats for this process and sweeps for writers that are gone.

    ``resume_allowed`` says, at each sweep, whether stories go on by themselves (an
    admin's setting); ``on_takeover`` hears of each story taken over (the runner
    wakes a worker, the wake-up bus tells the story's viewers); ``after_beat``
    runs after each beat (a queue worker puts back lost jobs).
    """

    def __init__(
        self,
        app: Flask,
        me: WorkerIdentity,
        resume_allowed: Callable[[], bool],
        on_takeover: Callable[[Takeover], None],
        *,
        after_beat: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.me = me
        self.resume_allowed = resume_allowed
        self.on_takeover = on_takeover
        self.after_beat = after_beat
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start beating in a thread of its own (once): its first beat and sweep come at
        once, so the stories of a process that died are taken over as this one starts.

        Not in the caller's thread: a request that starts the runner may hold the
        database's write lock, which the beat needs.
        """
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="storybot-heartbeat", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop beating and remove this process's row (its stories are others' to take)."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(BEAT_SECONDS * 2)
            with self.app.app_context():
                try:
                    retire(self.me)
                except Exception:
                    log.exception("heartbeat: could not remove this worker's row")

    def _run(self) -> None:
        while True:
            with self.app.app_context():
                self._beat_and_sweep()
            if self._stop.wait(BEAT_SECONDS):
                return

    def _beat_and_sweep(self) -> None:
        try:
            beat(self.me)
            for taken in sweep(self.me, resume=self.resume_allowed()):
                self.on_takeover(taken)
            if self.after_beat is not None:
                self.after_beat()
        except Exception:  # a busy or unreachable database: beat again next time
            db.session.rollback()
            log.exception("heartbeat: the beat or the sweep failed")
        finally:
            db.session.remove()
