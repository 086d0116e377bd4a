"""The in-process story runner: worker threads that take stories and write them.

Each worker takes its work from one inbox: a nudge to claim the next story
from the queue (:mod:`storybot.jobs.queue`, the ``story`` table itself), or a
story already started and handed to it. When a worker is idle and nothing
waits, a new story skips the queue: the request saves it ``running``, starts
its engine on that worker's pump and hands the worker the stream to save
(:meth:`StoryRunner.reserve`, :meth:`StoryRunner.hand_over`), which saves the
claim's round trip before the first words. Writing itself is
:mod:`storybot.jobs.writing`; the runner's heartbeat
(:mod:`storybot.jobs.heartbeat`) says this process is alive and takes over the
stories of writers that are gone, here or in any other process.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Protocol

from flask import Flask

from storybot.engines.base import Engine
from storybot.extensions import db
from storybot.jobs import lifecycle, writing
from storybot.jobs.heartbeat import Heartbeat, Takeover, WorkerIdentity
from storybot.jobs.job import Job
from storybot.jobs.notify import StoryBus
from storybot.jobs.pump import Pump
from storybot.jobs.writing import EngineLookup, Started

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 5.0
"""An idle worker looks at the queue this often (stories queued by another process)."""

LOOK_AT_QUEUE = None
"""What a worker's inbox holds when it is to claim the next queued story."""


class Worker:
    """One runner thread's state: its pump, and its inbox."""

    def __init__(self, name: str, writer_id: str) -> None:
        self.name = name
        self.writer_id = writer_id  # the process's worker id, which its stories name
        self.pump = Pump(f"{name}-pump")
        self.inbox: queue.SimpleQueue[Started | None] = queue.SimpleQueue()

    def renew_pump(self) -> None:
        """Leave the pump behind in an engine that would not stop; take a new one."""
        self.pump.retire()
        self.pump = Pump(f"{self.name}-pump")


class Dispatch(Protocol):
    """How the story service has stories written: this process's runner, or queue workers
    (:class:`storybot.jobs.queue_worker.QueueDispatch`)."""

    def start(self) -> None:
        """Start writing (or beating), once."""

    def stop(self, timeout: float = 10.0) -> None:
        """Stop; stories being written stay running, for the next writer."""

    def wake(self) -> None:
        """A story was queued."""

    def reserve(self) -> Worker | None:
        """A worker of this process to start a story at once, if one is idle."""

    def hand_over(self, worker: Worker, job: Job, engine: Engine) -> None:
        """Start a reserved worker's story."""

    def release(self, worker: Worker) -> None:
        """Give back a reservation whose story was not created."""

    def cancel_local(self, story_id: int) -> None:
        """Stop a story this process writes, at once."""


class StoryRunner:
    """A bounded pool of worker threads writing stories, with this process's heartbeat."""

    def __init__(
        self,
        app: Flask,
        bus: StoryBus,
        engine_for: EngineLookup,
        workers: int = 1,
        *,
        resume_allowed: Callable[[], bool] = lambda: True,
        kind: str = "serve",
        direct_start: bool = True,
    ) -> None:
        self.app = app
        self.bus = bus
        self.engine_for = engine_for
        self.workers = workers
        self.direct_start = direct_start  # Settings.direct_start (a tuning switch)
        self.identity = WorkerIdentity.of_this_process(kind)
        self.heartbeat = Heartbeat(app, self.identity, resume_allowed, self._taken_over)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._all: list[Worker] = []
        self._idle: list[Worker] = []  # waiting in their inbox, none promised to a story
        self._pending = False  # a story was queued while no worker was idle
        self._leaving = False
        self._cancel_events: dict[int, threading.Event] = {}

    # --- the pool ---------------------------------------------------------------------------

    def start(self) -> None:
        """Beat (taking over the stories of writers that are gone), then start the
        worker threads (once; later calls do nothing)."""
        with self._lock:
            if self._threads:
                return
            self._leaving = False
        self.heartbeat.start()
        with self._lock:
            if self._threads:
                return
            for index in range(self.workers):
                worker = Worker(f"storybot-runner-{index}", self.identity.id)
                thread = threading.Thread(
                    target=self._work, args=(worker,), name=worker.name, daemon=True
                )
                self._all.append(worker)
                self._threads.append(thread)
                thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers and the heartbeat. A story being written stays ``running``
        with its text so far: the next process to sweep takes it over and writes on."""
        with self._lock:
            self._leaving = True
            workers = list(self._all)
        for event in list(self._cancel_events.values()):
            event.set()
        for worker in workers:
            worker.inbox.put(LOOK_AT_QUEUE)
        for thread in self._threads:
            thread.join(timeout)
        with self._lock:
            self._threads.clear()
            self._all.clear()
            self._idle.clear()
        self.heartbeat.stop()

    def wake(self) -> None:
        """A story was queued: let an idle worker take it (or the next one that looks)."""
        with self._lock:
            if self._idle:
                self._idle.pop().inbox.put(LOOK_AT_QUEUE)
            else:
                self._pending = True

    @property
    def idle_workers(self) -> int:
        """How many workers are waiting for a story right now (none promised to one)."""
        with self._lock:
            return len(self._idle)

    def reserve(self) -> Worker | None:
        """Promise an idle worker to a story that is about to start at once.

        Returns the worker when one was free: create the story ``running`` with
        :attr:`identity` as its writer and pass it to :meth:`hand_over`, or call
        :meth:`release` if it is not created.
        """
        with self._lock:
            if self._leaving or not self._idle or not self.direct_start:
                return None
            return self._idle.pop()

    def hand_over(self, worker: Worker, job: Job, engine: Engine) -> None:
        """Start a reserved worker's story (saved ``running``): its pump reads ``engine``
        from now on, in this thread, and the worker saves what it reads."""
        started = writing.start(job, engine, worker.pump)
        self._cancel_events[job.story_id] = started.cancel
        worker.inbox.put(started)

    def release(self, worker: Worker) -> None:
        """Give back a reservation whose story was not created."""
        worker.inbox.put(LOOK_AT_QUEUE)

    def cancel_local(self, story_id: int) -> None:
        """Stop a story this process is writing, at once (the database flag is set too)."""
        event = self._cancel_events.get(story_id)
        if event is not None:
            event.set()

    # --- a worker's loop --------------------------------------------------------------------

    def _work(self, worker: Worker) -> None:
        """Take the next story, write it, and again, until the runner stops."""
        while not self._leaving:
            started = self._take_work(worker)
            if started is not None:
                self._write(worker, started)
        worker.pump.retire()

    def _take_work(self, worker: Worker) -> Started | None:
        """A story to write: one claimed from the queue (started here), else the next
        thing in the inbox; None to look again."""
        with self.app.app_context():
            started = self._claim_and_start(worker)
            if started is not None:
                return started
        with self._lock:
            if self._leaving:
                return None
            if self._pending:  # queued while this worker was busy: look again
                self._pending = False
                return None
            self._idle.append(worker)
        try:
            return worker.inbox.get(timeout=IDLE_POLL_SECONDS)
        except queue.Empty:
            with self._lock:
                promised = worker not in self._idle
                if not promised:
                    self._idle.remove(worker)
            # Promised to a story meanwhile: it is on its way (or the promise is given back).
            return worker.inbox.get() if promised else None

    def _claim_and_start(self, worker: Worker) -> Started | None:
        """Claim the next queued story and start its engine on the worker's pump."""
        started = writing.claim_and_start(self.identity.id, worker.pump, self.bus, self.engine_for)
        if started is not None:
            self._cancel_events[started.job.story_id] = started.cancel
        return started

    def _write(self, worker: Worker, started: Started) -> None:
        """Write a started story; renew the pump if its engine would not stop."""
        story_id = started.job.story_id
        with self.app.app_context():
            try:
                pump_free = writing.write(
                    started, self.bus, self.identity.id, leaving=lambda: self._leaving
                )
            except Exception:  # a bug outside writing's own handling: keep the worker
                log.exception("story %s: the runner failed", story_id)
                db.session.rollback()
                lifecycle.fail(story_id, "internal", writing.INTERNAL_REASON)
                pump_free = False
            finally:
                self._cancel_events.pop(story_id, None)
        if not pump_free:
            worker.renew_pump()

    def _taken_over(self, taken: Takeover) -> None:
        """The heartbeat took a story from a writer that is gone: tell its viewers, and
        let a worker write it on."""
        self.bus.publish(taken.story_id)
        if taken.resumed:
            self.wake()
