"""The story event stream (Server-Sent Events): replay what is saved, then follow.

The stream only reads. Each read is a short session closed at once, so a
thousand followers hold no database connection while they wait; wake-ups
come from the :class:`~storybot.jobs.notify.StoryBus`, and followers that keep up
share one read per change (:class:`SharedReads`, subscribed to the bus).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from storybot.extensions import db
from storybot.jobs.notify import StoryBus
from storybot.jobs.pieces import Committed
from storybot.models import Story, StoryPiece, StoryStatus
from storybot.services.story_views import place_in_queue, story_view

HEARTBEAT_SECONDS = 15.0
PIECES_PER_READ = 500


def sse(data: Any, *, event: str | None = None, ident: int | None = None) -> str:
    """One SSE message; ``data`` is sent as JSON (text pieces keep every character)."""
    lines = []
    if ident is not None:
        lines.append(f"id: {ident}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


Read = tuple[list[tuple[int, str]], dict[str, Any]]


class SharedReads:
    """One database read per story change, shared by every follower that needs the same one.

    Followers that keep up all ask for "story N after piece K at version V" at
    the same moment; the first one reads, the others wait for its answer. With
    hundreds of viewers of one story this turns hundreds of reads per piece
    into one.
    """

    def __init__(self, keep: int = 64, max_age: float = 0.25) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[int, int, int], _Entry] = OrderedDict()
        self._keep = keep
        # Without the Redis relay another process's writes do not change this
        # process's version (and a relayed one may be missed), so an answer is
        # shared only while it is fresh.
        self._max_age = max_age

    def read(self, app: Flask, story_id: int, after: int, version: int) -> Read:
        """The pieces after ``after`` and the story's state, as of ``version``."""
        key = (story_id, after, version)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry.created > self._max_age:
                entry = None
            owner = entry is None
            if entry is None:
                entry = _Entry()
                self._keep_entry(key, entry)
        if owner:
            try:
                entry.result = _read(app, story_id, after)
            finally:
                entry.ready.set()
        entry.ready.wait()
        if entry.result is None:  # the reader failed: read for ourselves
            return _read(app, story_id, after)
        return entry.result

    def on_publish(self, story_id: int, version: int, payload: object) -> None:
        """A :class:`~storybot.jobs.notify.StoryBus` subscriber: keep the pieces a writer
        has just committed as the read of that version, for followers that keep up."""
        if isinstance(payload, Committed) and payload.pieces:
            state: dict[str, Any] = {
                "status": "running",
                "queue_position": None,
                "wait_seconds": None,
            }
            self.offer(story_id, payload.after, version, (payload.pieces, state))

    def offer(self, story_id: int, after: int, version: int, result: Read) -> None:
        """Keep a result the writer already knows (the pieces it has just committed)."""
        entry = _Entry()
        entry.result = result
        entry.ready.set()
        with self._lock:
            self._keep_entry((story_id, after, version), entry)

    def _keep_entry(self, key: tuple[int, int, int], entry: _Entry) -> None:
        """Store ``entry`` as the newest, dropping the oldest beyond ``keep`` (lock held)."""
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._keep:
            self._entries.popitem(last=False)


class _Entry:
    def __init__(self) -> None:
        self.created = time.monotonic()
        self.ready = threading.Event()
        self.result: Read | None = None


def _read(app: Flask, story_id: int, after: int) -> Read:
    with app.app_context():
        try:
            row = db.session.execute(
                select(Story.status, Story.resumes).where(Story.id == story_id)
            ).first()
            if row is None:
                return [], {"status": "deleted"}
            status: StoryStatus = row.status
            pieces = db.session.execute(
                select(StoryPiece.seq, StoryPiece.text)
                .where(StoryPiece.story_id == story_id, StoryPiece.seq > after)
                .order_by(StoryPiece.seq)
                .limit(PIECES_PER_READ)
            ).all()
            state: dict[str, Any] = {
                "status": status.value,
                "queue_position": None,
                "wait_seconds": None,
                "resumes": row.resumes,
            }
            place = place_in_queue(story_id) if status == StoryStatus.QUEUED else None
            if place is not None:
                state["queue_position"] = place.position
                state["wait_seconds"] = place.wait_seconds
            if status.is_final and len(pieces) < PIECES_PER_READ:
                view = story_view(db.session.get_one(Story, story_id))
                state["final"] = {
                    k: view[k]
                    for k in (
                        "id",
                        "status",
                        "title",
                        "failure_code",
                        "failure_reason",
                        "failure_params",
                        "last_seq",
                        "completion_tokens",
                        "duration_seconds",
                    )
                }
            return [(p.seq, p.text) for p in pieces], state
        finally:
            db.session.remove()


@dataclass(frozen=True)
class StoryEvent:
    """One event of a story: ``text`` (with its sequence number), ``status``, or a final one."""

    name: str
    data: dict[str, Any]
    seq: int | None = None
    last_of_read: bool = True  # False while more text of the same read follows


def events(
    app: Flask,
    bus: StoryBus,
    reads: SharedReads,
    story_id: int,
    after: int,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> Iterator[StoryEvent | None]:
    """Replay the saved text after ``after``, then follow; ``None`` when ``heartbeat`` passes
    with nothing new. Ends after one final event named after the final status
    (``done``, ``failed``, ``cancelled``, ``interrupted``), or ``deleted``."""
    last_status: dict[str, Any] | None = None
    resumes = 0  # times it went on by itself: a status event says so when it changes
    while True:
        seen = bus.version(story_id)
        pieces, state = reads.read(app, story_id, after, seen)
        for index, (seq, text) in enumerate(pieces):
            yield StoryEvent("text", {"text": text}, seq, index == len(pieces) - 1)
            after = seq
        if state["status"] == "deleted":
            yield StoryEvent("deleted", {"status": "deleted"})
            return
        if "final" in state:
            yield StoryEvent(state["status"], state["final"], after or None)
            return
        status = {key: state.get(key) for key in ("status", "queue_position", "wait_seconds")}
        # A read offered by the writer leaves out how often the story was resumed.
        status["resumes"] = resumes = state.get("resumes", resumes)
        if status != last_status:
            yield StoryEvent("status", status)
            last_status = status
        if len(pieces) == PIECES_PER_READ:
            continue  # more saved text to replay before waiting
        if not bus.wait(story_id, seen, heartbeat):
            yield None


def follow(
    app: Flask,
    bus: StoryBus,
    reads: SharedReads,
    story_id: int,
    after: int,
    heartbeat: float = HEARTBEAT_SECONDS,
    opening: str = "",
) -> Iterator[str]:
    """The SSE body of :func:`events`: never an event named ``error``, which
    EventSource keeps for its own connection errors; a comment as heartbeat.
    ``opening`` goes out first, with the reconnection delay."""
    yield "retry: 2000\n\n" + opening
    batch: list[str] = []
    for event in events(app, bus, reads, story_id, after, heartbeat):
        if event is None:
            yield ": keep-alive\n\n"
            continue
        batch.append(sse(event.data, event=event.name, ident=event.seq))
        if event.name != "text" or event.last_of_read:
            # One write to the socket per database read, not one per piece.
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


FINAL_EVENTS = tuple(s.value for s in StoryStatus if s.is_final)
