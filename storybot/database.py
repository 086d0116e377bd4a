"""Database connection behaviour that every engine needs, SQLite above all.

SQLite is Storybot's default database, and a web server with many threads
writes to it at once. Each connection therefore runs in WAL mode (readers never
block the writer), enforces foreign keys, and waits for a busy lock instead of
failing. Write transactions start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads first and then writes cannot wait for the lock and gets
``SQLITE_BUSY`` at once, which is the "database is locked" error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, g, request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 30_000

# Search structures that migrations create by hand (FTS5 tables, trigram
# indexes): not models, so autogenerate and schema comparisons leave them be.
SEARCH_OBJECT_PREFIXES = ("story_search", "ix_story_title_trgm", "ix_story_text_trgm")

# On SQLite the FTS5 table ``story_search`` follows the story table through these
# triggers; a migration that recreates the story table (batch mode) creates them again.
SQLITE_STORY_SEARCH_TRIGGERS = (
    "CREATE TRIGGER story_search_insert AFTER INSERT ON story BEGIN "
    "INSERT INTO story_search(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER story_search_delete AFTER DELETE ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER story_search_update AFTER UPDATE OF title, text ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO story_search(rowid, title, text) VALUES (new.id, new.title, new.text); END",
)


def is_modelled(obj: Any, name: str | None, type_: str, reflected: bool, _other: Any) -> bool:
    """Alembic ``include_object`` hook: skip the hand-made search structures."""
    return not (reflected and name is not None and name.startswith(SEARCH_OBJECT_PREFIXES))


_write_intent: ContextVar[bool] = ContextVar("storybot_write_intent", default=False)
# A request that changes data writes in its first transaction; once that is
# committed, what it reads to build its answer must not hold the write lock.
_request_writes: ContextVar[bool] = ContextVar("storybot_request_writes", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    """Mark transactions begun inside this block as writers (``BEGIN IMMEDIATE`` on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_sqlite(engine: Engine) -> None:
    """Install the per-connection pragmas and transaction handling on a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten, not left in free pages: a deleted reader's
            # name and stories must not stay readable in the file (docs/privacy.md).
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writes = _write_intent.get() or _request_writes.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def in_request_write() -> bool:
    """True while this request's first transaction, the one that writes, is still open."""
    return _request_writes.get()


def install_write_intent(app: Flask) -> None:
    """Requests that change data (POST, PUT, PATCH, DELETE) begin a write transaction.

    Only their first one: after it commits, the request's later transactions
    (reading back what it answers with) are plain reads, so that the write
    lock is free for the story runner at once. A request that writes twice
    marks its second write with :func:`write_intent`.
    """

    def mark_writer() -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            g.request_writes_token = _request_writes.set(True)

    def unmark_writer(_exc: BaseException | None) -> None:
        token = g.pop("request_writes_token", None)
        if token is not None:
            _request_writes.reset(token)

    app.before_request(mark_writer)
    app.teardown_request(unmark_writer)
    if not event.contains(Session, "after_commit", _request_write_done):
        event.listen(Session, "after_commit", _request_write_done)


def _request_write_done(_session: Session) -> None:
    if _request_writes.get():
        _request_writes.set(False)
