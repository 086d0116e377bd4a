"""The in-process story runner: worker threads that take queued stories and write them.

Workers claim stories from the queue (:mod:`storybot.jobs.queue`, the
``story`` table itself) and end them through :mod:`storybot.jobs.lifecycle`;
a story's engine is found with the lookup the runner is given. When a worker
is idle and nothing waits, a new story skips the queue: the request saves it ``running``,
starts its engine on that worker's pump and hands the worker the stream to
save (:meth:`StoryRunner.reserve`, :meth:`StoryRunner.hand_over`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from storybot.engines.base import Engine, EngineError, Finish
from storybot.engines.failures import engine_error
from storybot.engines.registry import UnknownEngine
from storybot.extensions import db
from storybot.jobs import lifecycle
from storybot.jobs import queue as story_queue
from storybot.jobs.job import Job
from storybot.jobs.notify import StoryBus
from storybot.jobs.pieces import FLUSH_SECONDS, PieceWriter
from storybot.jobs.pump import END, Failure, Pump
from storybot.observability import generation_metrics as metrics
from storybot.observability.tracing import current_trace_id
from storybot.pipeline.writer import Title, write_story

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 5.0
CANCEL_CHECK_SECONDS = 0.25
CANCEL_GRACE_SECONDS = 0.75
INTERNAL_REASON = "Something went wrong on the server while writing; the text so far is kept."


@dataclass(frozen=True)
class Started:
    """A story whose engine a pump is already reading: what the worker consumes."""

    job: Job
    items: queue.SimpleQueue[object]
    cancel: threading.Event
    first_saved: threading.Event
    at: float  # time.monotonic() when the engine was asked


class Worker:
    """One runner thread's state: its pump, and a story handed to it directly."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.pump = Pump(f"{name}-pump")
        self.promised = False  # reserved for a story about to be handed over
        self.handed: Started | None = None

    def renew_pump(self) -> None:
        """Leave the pump behind in an engine that would not stop; take a new one."""
        self.pump.retire()
        self.pump = Pump(f"{self.name}-pump")


class StoryRunner:
    """A bounded pool of worker threads writing queued stories, in order."""

    def __init__(
        self, app: Flask, bus: StoryBus, engine_for: Callable[[str], Engine], workers: int = 1
    ) -> None:
        self.app = app
        self.bus = bus
        self.engine_for = engine_for  # an engine by its name, as configured now
        self.workers = workers
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._pending = False  # a story was queued since a worker last looked
        self._idle: list[Worker] = []  # workers waiting for work, none of them promised
        self._cancel_events: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker threads (once; later calls do nothing)."""
        with self._lock:
            if self._threads:
                return
            self._stopping = False
            for index in range(self.workers):
                thread = threading.Thread(
                    target=self._work, name=f"storybot-runner-{index}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the workers to stop after their current story, and wait for them."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        for event in list(self._cancel_events.values()):
            event.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def wake(self) -> None:
        """A story was queued: let an idle worker take it.

        The flag keeps the news for a worker that is between looking at the
        queue and waiting, which a bare notify would miss.
        """
        with self._wake:
            self._pending = True
            self._wake.notify_all()

    @property
    def idle_workers(self) -> int:
        """How many workers are waiting for a story right now (none promised to one)."""
        with self._wake:
            return len(self._idle)

    def reserve(self) -> Worker | None:
        """Promise an idle worker to a story that is about to start at once.

        Returns the worker when one was free: create the story ``running``
        and pass it to :meth:`hand_over`, or call :meth:`release` if it is not
        created. A story that starts this way skips the queue's round trip
        through the database (the wake-up, the claim and the reload) and the
        worker's own wake-up: the engine starts in the request's thread.
        """
        with self._wake:
            if self._stopping or not self._idle:
                return None
            worker = self._idle.pop()
            worker.promised = True
            return worker

    def hand_over(self, worker: Worker, job: Job, engine: Engine) -> None:
        """Start a reserved worker's story (already saved as ``running``): its
        pump starts reading ``engine`` now, and the worker saves what it reads."""
        cancel = threading.Event()
        items: queue.SimpleQueue[object] = queue.SimpleQueue()
        first_saved = threading.Event()
        self._cancel_events[job.story_id] = cancel
        started = Started(job, items, cancel, first_saved, time.monotonic())
        try:
            worker.pump.feed(write_story(engine, job.plan, cancel), items, first_saved)
        except Exception as exc:  # an engine that fails before streaming: the worker fails it
            items.put(Failure(exc))
            items.put(END)
        with self._wake:
            worker.promised = False
            worker.handed = started
            self._wake.notify_all()

    def release(self, worker: Worker) -> None:
        """Give back a reservation whose story was not created."""
        with self._wake:
            worker.promised = False
            self._wake.notify_all()

    def cancel_local(self, story_id: int) -> None:
        """Stop a story this process is writing, at once (the database flag is set too)."""
        event = self._cancel_events.get(story_id)
        if event is not None:
            event.set()

    def _work(self) -> None:
        worker = Worker(threading.current_thread().name)
        while not self._stopping:
            with self._wake:
                self._pending = False
                started, worker.handed = worker.handed, None
                promised = worker.promised
            with self.app.app_context():
                job = started.job if started is not None else None
                if job is None and not promised:  # a promised worker waits for its story
                    try:
                        job = self._claim_next()
                    except Exception:
                        log.exception("the story runner could not read the queue")
                if job is not None:
                    try:
                        pump_free = self._run(job, worker.pump, started)
                    except Exception:  # a bug outside _run's own handling: keep the worker
                        log.exception("story %s: the runner failed", job.story_id)
                        db.session.rollback()
                        lifecycle.fail(job.story_id, "internal", INTERNAL_REASON)
                        pump_free = False
                    if not pump_free:
                        worker.renew_pump()
                    continue
            with self._wake:
                if not (self._stopping or self._pending or worker.handed):
                    if not worker.promised:
                        self._idle.append(worker)
                    try:
                        self._wake.wait(IDLE_POLL_SECONDS)
                    finally:
                        if worker in self._idle:
                            self._idle.remove(worker)
        if worker.handed is not None:  # stopped before writing it: it ends interrupted
            worker.handed.cancel.set()
        worker.pump.retire()

    def _claim_next(self) -> Job | None:
        """The next story from the queue, now running (its followers told), or None."""
        job = story_queue.claim_next()
        if job is not None:
            self.bus.publish(job.story_id)
        return job

    def _start(self, job: Job, pump: Pump) -> Started:
        """Have ``pump`` read the engine of a story claimed from the queue."""
        try:
            engine = self.engine_for(job.engine)
        except UnknownEngine as exc:
            known = ", ".join(exc.configured) or "none"
            raise engine_error(
                "unavailable", "unknown_engine", engine=exc.name, known=known
            ) from exc
        db.session.commit()  # end the read transaction before a long generation
        started = Started(
            job, queue.SimpleQueue(), threading.Event(), threading.Event(), time.monotonic()
        )
        self._cancel_events[job.story_id] = started.cancel
        pump.feed(write_story(engine, job.plan, started.cancel), started.items, started.first_saved)
        return started

    def _run(self, job: Job, pump: Pump, started: Started | None) -> bool:
        """Write one story, started already (handed over) or not yet (claimed).
        False when its engine would not stop and keeps the pump.

        The engine starts before anything that can wait (the log line): the
        first words are what a reader is waiting for.
        """
        story_id, engine_name = job.story_id, job.engine
        token = current_trace_id.set(job.trace_id)
        metrics.IN_FLIGHT.labels(engine_name).inc()
        began = started.at if started is not None else time.monotonic()
        writer = PieceWriter(story_id, job.next_seq, self.bus)
        pump_free = True
        try:
            if started is None:
                started = self._start(job, pump)
            log.info("story %s: writing with engine %s", story_id, engine_name)
            finish, title, pump_free = self._consume(
                started.items, writer, started.cancel, started.first_saved
            )
            if finish is None:
                raise engine_error("interrupted", "stopped")
            if writer.first_text_after is not None:
                metrics.TIME_TO_FIRST_TEXT.labels(engine_name).observe(
                    writer.first_text_after - began
                )
            lifecycle.finish(story_id, finish, title.text if title else None)
            seconds = max(time.monotonic() - began, 1e-6)
            metrics.TOKENS.labels(engine_name).inc(finish.completion_tokens)
            if finish.reason != "cancelled" and finish.completion_tokens:
                metrics.TOKENS_PER_SECOND.labels(engine_name).observe(
                    finish.completion_tokens / seconds
                )
            log.info(
                "story %s: %s after %.1fs, %s tokens",
                story_id,
                {"cancelled": "cancelled", "length": "incomplete"}.get(finish.reason, "done"),
                seconds,
                finish.completion_tokens,
            )
        except EngineError as exc:
            db.session.rollback()
            self._save_partial(writer)
            metrics.FAILURES.labels(engine_name, exc.code).inc()
            log.warning("story %s failed (%s): %s", story_id, exc.code, exc.reason)
            lifecycle.fail(story_id, exc.code, exc.reason, exc.params)
        except Exception:
            db.session.rollback()
            self._save_partial(writer)
            metrics.FAILURES.labels(engine_name, "internal").inc()
            log.exception("story %s failed unexpectedly", story_id)
            lifecycle.fail(story_id, "internal", INTERNAL_REASON)
        finally:
            metrics.IN_FLIGHT.labels(engine_name).dec()
            self._cancel_events.pop(story_id, None)
            self.bus.publish(story_id)
            current_trace_id.reset(token)
        return pump_free

    @staticmethod
    def _consume(
        items: queue.SimpleQueue[object],
        writer: PieceWriter,
        cancel: threading.Event,
        first_saved: threading.Event,
    ) -> tuple[Finish | None, Title | None, bool]:
        """Save the pieces the pump reads as they come.

        Returns the stream's Finish (None if it had none), the story's title
        (if the stream gave one), and whether the pump is free again. Saving
        never waits for the next token: buffered pieces are flushed after
        ``FLUSH_SECONDS`` even while the model pauses, and the cancel flag is
        checked at least every
        ``CANCEL_CHECK_SECONDS``. A cancelled engine that does not stop within
        ``CANCEL_GRACE_SECONDS`` is left behind with its pump, and the story
        ends cancelled. ``first_saved`` is set once the first piece is saved
        and sent by the followers who were waiting for it (the pump holds the
        engine back until then).
        """
        cancelled_at: float | None = None
        last_check = time.monotonic()
        title: Title | None = None
        while True:
            try:
                # Wake for buffered text when it is due, else only to check the flag.
                item = items.get(timeout=FLUSH_SECONDS if writer.pending else CANCEL_CHECK_SECONDS)
            except queue.Empty:
                item = None
            if isinstance(item, Finish):
                writer.flush()
                return item, title, True
            if item is END:
                writer.flush()
                return None, title, True
            if isinstance(item, Title):
                title = item
            if isinstance(item, Failure):
                writer.flush()
                raise item.error
            if isinstance(item, str):
                try:
                    if writer.add(item):
                        cancel.set()
                    writer.wait_first_sent()
                finally:
                    first_saved.set()
            now = time.monotonic()
            if (item is None and writer.pending) or now - last_check >= CANCEL_CHECK_SECONDS:
                last_check = now
                if writer.flush():
                    cancel.set()
            if cancel.is_set():
                cancelled_at = cancelled_at or now
                if now - cancelled_at > CANCEL_GRACE_SECONDS:
                    writer.flush()
                    return Finish("cancelled", 0, writer.pieces_written), title, False

    @staticmethod
    def _save_partial(writer: PieceWriter) -> None:
        try:
            writer.flush()
        except Exception:
            db.session.rollback()
            log.exception("story %s: could not save the last pieces", writer.story_id)
