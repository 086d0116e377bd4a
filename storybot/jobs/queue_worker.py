"""Writing stories on queue workers, for many processes and hosts: ``storybot worker``.

With ``STORYBOT_REDIS_URL`` set, web processes write no stories. Each story
queued (new, regenerated, continued, or resumed after its writer stopped)
puts one job on an RQ queue, and ``storybot worker`` processes take the jobs,
one at a time each. A job names no story: it claims the next story in the
database's fair order (:mod:`storybot.jobs.queue`), so the database stays the
queue of record and the fairness across families holds however jobs are
ordered; RQ carries the work to a free worker and keeps the workers' books.

A worker is an RQ ``SimpleWorker`` (no fork per job), so it keeps one copy of
a local model loaded from story to story. It beats like the in-process runner
(:mod:`storybot.jobs.heartbeat`) and sweeps for stories whose writer is gone,
any other worker's included; each beat also puts back a job for every queued
story that has none (jobs lost with a Redis restart). Asked to stop (SIGTERM),
it leaves its story running with its text so far, for another worker to
take over and write on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker

from storybot.engines.base import Engine
from storybot.extensions import db
from storybot.jobs import queue as story_queue
from storybot.jobs import writing
from storybot.jobs.heartbeat import Heartbeat, Takeover, WorkerIdentity
from storybot.jobs.job import Job
from storybot.jobs.notify import StoryBus
from storybot.jobs.pump import Pump
from storybot.jobs.runner import Worker
from storybot.jobs.writing import EngineLookup

log = logging.getLogger(__name__)

JOB_TIMEOUT_SECONDS = 3600
"""A story longer than this is stopped by RQ (its worker is then replaced, and the story
taken over): far beyond any story's length."""


def story_jobs(redis_url: str, prefix: str) -> Queue:
    """The RQ queue of story jobs."""
    return Queue(f"{prefix}stories", connection=Redis.from_url(redis_url))


class QueueDispatch:
    """The web process's side: a story queued is a job put on the queue.

    It has the runner's methods the story service calls; none of them writes.
    It beats and sweeps too, so that a story whose worker died is taken over
    even when no worker is left to notice.
    """

    def __init__(
        self,
        app: Flask,
        bus: StoryBus,
        jobs: Queue,
        *,
        resume_allowed: Callable[[], bool] = lambda: True,
    ) -> None:
        self.bus = bus
        self.jobs = jobs
        self.heartbeat = Heartbeat(
            app, WorkerIdentity.of_this_process("web"), resume_allowed, self._taken_over
        )

    def start(self) -> None:
        """Start beating (once)."""
        self.heartbeat.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop beating."""
        self.heartbeat.stop()

    def wake(self) -> None:
        """A story was queued: put a job on the queue for it."""
        put_job(self.jobs)

    def reserve(self) -> Worker | None:
        """Never a worker of this process to start a story at once."""
        return None

    def hand_over(self, worker: Worker, job: Job, engine: Engine) -> None:
        """Not reached: :meth:`reserve` gives no worker."""
        raise RuntimeError("queue workers start their stories themselves")

    def release(self, worker: Worker) -> None:
        """Not reached: :meth:`reserve` gives no worker."""
        raise RuntimeError("queue workers start their stories themselves")

    def cancel_local(self, story_id: int) -> None:
        """The writer reads the story's cancel flag in the database (within 0.25 s)."""

    def _taken_over(self, taken: Takeover) -> None:
        self.bus.publish(taken.story_id)
        if taken.resumed:
            put_job(self.jobs)


def put_job(jobs: Queue) -> None:
    """One job: "write the next queued story"."""
    jobs.enqueue_call(write_next, timeout=JOB_TIMEOUT_SECONDS, result_ttl=0, failure_ttl=24 * 3600)


class QueueWriter:
    """A worker process's writer: its identity, its pump, its heartbeat."""

    def __init__(
        self,
        app: Flask,
        bus: StoryBus,
        engine_for: EngineLookup,
        jobs: Queue,
        *,
        resume_allowed: Callable[[], bool] = lambda: True,
    ) -> None:
        self.app = app
        self.bus = bus
        self.engine_for = engine_for
        self.jobs = jobs
        self.identity = WorkerIdentity.of_this_process("worker")
        self.heartbeat = Heartbeat(
            app, self.identity, resume_allowed, self._taken_over, after_beat=self._refill
        )
        self.pump = Pump(f"{self.identity.id}-pump")
        self.leaving = False
        self._writing: writing.Started | None = None

    def write_next(self) -> int | None:
        """Claim the next story and write it; its id, or None when none was queued."""
        with self.app.app_context():
            started = writing.claim_and_start(
                self.identity.id, self.pump, self.bus, self.engine_for
            )
            if started is None:
                return None
            self._writing = started
            try:
                pump_free = writing.write(
                    started, self.bus, self.identity.id, leaving=lambda: self.leaving
                )
            finally:
                self._writing = None
                db.session.remove()
        if not pump_free:
            self.pump.retire()
            self.pump = Pump(f"{self.identity.id}-pump")
        return started.job.story_id

    def leave(self) -> None:
        """Stop writing now: the story stays running, for another worker to take over."""
        self.leaving = True
        started = self._writing
        if started is not None:
            started.cancel.set()

    def _taken_over(self, taken: Takeover) -> None:
        self.bus.publish(taken.story_id)
        if taken.resumed:
            put_job(self.jobs)

    def _refill(self) -> None:
        """Put back a job for each queued story that has none (lost with Redis's data)."""
        missing = story_queue.waiting() - self.jobs.count
        for _ in range(max(0, missing)):
            put_job(self.jobs)


_writer: QueueWriter | None = None


def write_next() -> int | None:
    """The RQ job: claim the next queued story and write it (in ``storybot worker``)."""
    if _writer is None:
        raise RuntimeError("story jobs are run by `storybot worker`, which sets up its writer")
    return _writer.write_next()


class _StoryWorker(SimpleWorker):
    """RQ's worker without a fork per job, that hands its story on when asked to stop."""

    writer: QueueWriter

    def request_stop(self, signum: Any, frame: Any) -> None:
        """A stop asked (SIGTERM, SIGINT): leave the story for another worker, then stop."""
        self.writer.leave()
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]


def work(writer: QueueWriter) -> None:
    """Take story jobs until asked to stop (this process's main loop)."""
    global _writer
    _writer = writer
    writer.heartbeat.start()
    worker = _StoryWorker([writer.jobs], connection=writer.jobs.connection, name=writer.identity.id)
    worker.writer = writer
    try:
        worker.work(with_scheduler=False, logging_level="WARNING")
    finally:
        writer.heartbeat.stop()
        writer.pump.retire()
        _writer = None
