"""Shared fixtures: an app on a fresh, migrated database (SQLite and PostgreSQL), and clients."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from storybot.extensions import db
from tests.model_file_server import model_file_server  # noqa: F401  (a shared fixture)
from tests.support import Account, LiveServer, build_app, first_admin, make_settings, signed_in

POSTGRES_ADMIN_URL = os.environ.get(
    "STORYBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own STORYBOT_* settings."""
    for key in list(os.environ):
        if key.startswith("STORYBOT_") and not key.startswith("STORYBOT_TEST_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, dropped at the end."""
    admin = make_url(POSTGRES_ADMIN_URL)
    name = f"storybot_test_{os.getpid()}_{secrets.token_hex(4)}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is needed at {POSTGRES_ADMIN_URL} (set STORYBOT_TEST_POSTGRES_URL): {exc}"
        )
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """This run's PostgreSQL database, emptied: for tests of several processes sharing it."""
    _reset_postgres(postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, then PostgreSQL (each test runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    url: str = request.getfixturevalue("postgres_database")
    _reset_postgres(url)
    return url


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """The Storybot app on a fresh database, run on SQLite and on PostgreSQL."""
    application = build_app(make_settings(tmp_path, database_url))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """The Storybot app on a fresh SQLite file, for SQLite-specific behaviour."""
    application = build_app(make_settings(tmp_path))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def admin(app: Flask) -> Account:
    """The app's first admin, with an API token."""
    return first_admin(app)


@pytest.fixture
def client(app: Flask, admin: Account) -> FlaskClient:
    """A test client of :func:`app`, signed in as its first admin."""
    return signed_in(app.test_client(), admin)


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """A test client of :func:`app` that is not signed in."""
    return app.test_client()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real Storybot server (gunicorn) on a fresh SQLite database."""
    server = LiveServer(tmp_path).start()
    yield server
    server.stop()
