"""SQLite transactions: requests that change data write first, then only read."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from sqlalchemy import select, text

from storybot.extensions import db
from storybot.models import Prompt
from tests.support import first_admin


def _other_writer_can_write(app: Flask) -> bool:
    """Whether a second connection gets the write lock at once (no waiting)."""
    path = db.engine.url.database
    assert path
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    finally:
        other.close()


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_a_writing_request_holds_the_write_lock_only_until_it_commits(
    sqlite_app: Flask, method: str
) -> None:
    signed_in = {"Authorization": f"Bearer {first_admin(sqlite_app).token}"}
    with sqlite_app.test_request_context("/api/prompts", method=method, headers=signed_in):
        sqlite_app.preprocess_request()
        db.session.scalar(select(Prompt.id).limit(1))  # the request's first transaction
        assert not _other_writer_can_write(sqlite_app), "the write should own the lock"
        db.session.add(Prompt(owner_id=first_admin(sqlite_app).id, title="Kept", content="A fox"))
        db.session.commit()
        # Reading back what the answer shows must leave the lock to others,
        # such as the story runner claiming the story this request queued.
        assert db.session.scalar(select(Prompt.title).where(Prompt.title == "Kept")) == "Kept"
        assert _other_writer_can_write(sqlite_app)
        db.session.remove()


def test_a_reading_request_never_takes_the_write_lock(sqlite_app: Flask) -> None:
    signed_in = {"Authorization": f"Bearer {first_admin(sqlite_app).token}"}
    with sqlite_app.test_request_context("/api/prompts", method="GET", headers=signed_in):
        sqlite_app.preprocess_request()
        db.session.execute(text("SELECT 1 FROM prompt LIMIT 1"))
        assert _other_writer_can_write(sqlite_app)
        db.session.remove()
