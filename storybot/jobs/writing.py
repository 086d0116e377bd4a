"""Writing one story: its engine read on a pump, its pieces saved as they come, its end.

The steps, named as rq's worker names its own: :func:`start` (the engine on a
pump), :func:`write` (save what it writes, watching the cancel flag), then one
end: finished, failed, or left for another writer when this process stops.
The in-process runner and the queue worker write a story the same way.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from storybot.engines.base import Engine, EngineError, Finish
from storybot.engines.failures import engine_error
from storybot.engines.registry import UnknownEngine
from storybot.extensions import db
from storybot.jobs import lifecycle
from storybot.jobs import queue as story_queue
from storybot.jobs.first_piece import FirstPiece
from storybot.jobs.job import Job
from storybot.jobs.notify import StoryBus
from storybot.jobs.pieces import FLUSH_SECONDS, PieceWriter
from storybot.jobs.pump import END, Failure, Pump
from storybot.observability import generation_metrics as metrics
from storybot.observability.tracing import current_trace_id
from storybot.pipeline.writer import Title, write_story

log = logging.getLogger(__name__)

CANCEL_CHECK_SECONDS = 0.25
CANCEL_GRACE_SECONDS = 0.75
INTERNAL_REASON = "Something went wrong on the server while writing; the text so far is kept."

EngineLookup = Callable[[str], Engine]
"""An engine by its name, as configured now (raises UnknownEngine)."""


@dataclass(frozen=True)
class Started:
    """A story whose engine a pump is already reading: what a worker saves."""

    job: Job
    items: queue.SimpleQueue[object]
    cancel: threading.Event
    first: FirstPiece
    at: float  # time.monotonic() when the engine was asked

    @classmethod
    def new(cls, job: Job) -> Started:
        """A story about to start now, its queue still empty."""
        return cls(job, queue.SimpleQueue(), threading.Event(), FirstPiece(), time.monotonic())


def engine_of(job: Job, engine_for: EngineLookup) -> Engine:
    """The engine that writes ``job``; an EngineError a person understands if there is none."""
    try:
        return engine_for(job.engine)
    except UnknownEngine as exc:
        known = ", ".join(exc.configured) or "none"
        raise engine_error("unavailable", "unknown_engine", engine=exc.name, known=known) from exc


def start(job: Job, engine: Engine, pump: Pump) -> Started:
    """Have ``pump`` read ``engine`` writing ``job`` from now on."""
    started = Started.new(job)
    try:
        pump.feed(write_story(engine, job.plan, started.cancel), started.items, started.first)
    except Exception as exc:  # an engine that fails before streaming: the writer fails it
        started.items.put(Failure(exc))
        started.items.put(END)
    return started


def claim_and_start(
    writer: str,
    pump: Pump,
    bus: StoryBus,
    engine_for: EngineLookup,
) -> Started | None:
    """Claim the next queued story for ``writer`` and start its engine on ``pump``;
    None when nothing is queued (or the queue could not be read)."""
    try:
        job = story_queue.claim_next(writer)
    except Exception:
        db.session.rollback()
        log.exception("the queue could not be read")
        return None
    if job is None:
        return None
    bus.publish(job.story_id)  # its viewers see it running
    for waiting in story_queue.queued_ids():  # and those still queued, their new place
        bus.publish(waiting)
    try:
        engine = engine_of(job, engine_for)
    except Exception as exc:  # no such engine: the story fails, saying which exist
        return failed_start(job, exc)
    db.session.commit()  # end the read transaction before a long generation
    return start(job, engine, pump)


def failed_start(job: Job, error: Exception) -> Started:
    """A story whose engine could not start: writing it ends it failed with ``error``."""
    started = Started.new(job)
    started.items.put(Failure(error))
    started.items.put(END)
    return started


def write(started: Started, bus: StoryBus, writer: str, *, leaving: Callable[[], bool]) -> bool:
    """Save a started story as it is written, then end it; False when its engine would
    not stop and keeps the pump.

    ``writer`` is this process's worker id: a story taken over meanwhile (this
    process was thought gone) is not its to save or end. A story cancelled
    because this process is ``leaving`` stays running, for the next writer to
    take over and write on.
    """
    job = started.job
    story_id, engine_name = job.story_id, job.engine
    token = current_trace_id.set(job.trace_id)
    metrics.IN_FLIGHT.labels(engine_name).inc()
    pieces = PieceWriter(story_id, job.next_seq, bus, writer)
    pump_free = True
    try:
        log.info("story %s: writing with engine %s", story_id, engine_name)
        finish, title, pump_free = save_as_written(started, pieces)
        if finish is None:
            raise engine_error("interrupted", "stopped")
        if finish.reason == "cancelled" and leaving():
            log.info("story %s: left unfinished as this process stops", story_id)
            metrics.GENERATIONS.labels(engine_name, "left").inc()
        else:
            _finished(started, pieces, finish, title, writer)
    except EngineError as exc:
        _failed(pieces, exc.code, exc.reason, exc.params, writer)
        metrics.FAILURES.labels(engine_name, exc.code).inc()
        metrics.GENERATIONS.labels(engine_name, "failed").inc()
        log.warning("story %s failed (%s): %s", story_id, exc.code, exc.reason)
    except Exception:
        _failed(pieces, "internal", INTERNAL_REASON, None, writer)
        metrics.FAILURES.labels(engine_name, "internal").inc()
        metrics.GENERATIONS.labels(engine_name, "failed").inc()
        log.exception("story %s failed unexpectedly", story_id)
    finally:
        started.first.release()
        metrics.IN_FLIGHT.labels(engine_name).dec()
        bus.publish(story_id)
        current_trace_id.reset(token)
    return pump_free


def save_as_written(
    started: Started, pieces: PieceWriter
) -> tuple[Finish | None, Title | None, bool]:
    """Save the pieces the pump reads as they come.

    Returns the stream's Finish (None if it had none), the story's title (if
    the stream gave one), and whether the pump is free again. Saving never
    waits for the next token: buffered pieces are flushed after
    ``FLUSH_SECONDS`` even while the model pauses, and the cancel flag is
    checked at least every ``CANCEL_CHECK_SECONDS``. A cancelled engine that
    does not stop within ``CANCEL_GRACE_SECONDS`` is left behind with its
    pump, and the story ends cancelled.
    """
    items, cancel = started.items, started.cancel
    cancelled_at: float | None = None
    last_check = time.monotonic()
    title: Title | None = None
    while True:
        try:
            # Wake for buffered text when it is due, else only to check the flag.
            item = items.get(timeout=FLUSH_SECONDS if pieces.pending else CANCEL_CHECK_SECONDS)
        except queue.Empty:
            item = None
        if isinstance(item, Finish):
            pieces.flush()
            return item, title, True
        if item is END:
            pieces.flush()
            return None, title, True
        if isinstance(item, Title):
            title = item
        if isinstance(item, Failure):
            pieces.flush()
            raise item.error
        if isinstance(item, str):
            try:
                if pieces.add(item):
                    cancel.set()
                started.first.saved()
            except BaseException:
                started.first.release()
                raise
        now = time.monotonic()
        if (item is None and pieces.pending) or now - last_check >= CANCEL_CHECK_SECONDS:
            last_check = now
            if pieces.flush():
                cancel.set()
        if cancel.is_set():
            cancelled_at = cancelled_at or now
            if now - cancelled_at > CANCEL_GRACE_SECONDS:
                pieces.flush()
                return Finish("cancelled", 0, pieces.pieces_written), title, False


def _finished(
    started: Started, pieces: PieceWriter, finish: Finish, title: Title | None, writer: str
) -> None:
    """The story ended as the model finished it (done, incomplete) or as it was cancelled."""
    job = started.job
    if pieces.first_text_after is not None:
        metrics.TIME_TO_FIRST_TEXT.labels(job.engine).observe(pieces.first_text_after - started.at)
    if not lifecycle.finish(job.story_id, finish, title.text if title else None, writer=writer):
        log.info("story %s: taken over by another writer; its end is theirs", job.story_id)
        return
    seconds = max(time.monotonic() - started.at, 1e-6)
    outcome = {"cancelled": "cancelled", "length": "incomplete"}.get(finish.reason, "done")
    metrics.GENERATIONS.labels(job.engine, outcome).inc()
    metrics.TOKENS.labels(job.engine).inc(finish.completion_tokens)
    if finish.reason != "cancelled" and finish.completion_tokens:
        metrics.TOKENS_PER_SECOND.labels(job.engine).observe(finish.completion_tokens / seconds)
    log.info(
        "story %s: %s after %.1fs, %s tokens",
        job.story_id,
        outcome,
        seconds,
        finish.completion_tokens,
    )


def _failed(
    pieces: PieceWriter, code: str, reason: str, params: Mapping[str, object] | None, writer: str
) -> None:
    """The story failed: what was written stays, and the reason is kept with it."""
    db.session.rollback()
    try:
        pieces.flush()
    except Exception:
        db.session.rollback()
        log.exception("story %s: could not save the last pieces", pieces.story_id)
    lifecycle.fail(pieces.story_id, code, reason, params, writer=writer)
