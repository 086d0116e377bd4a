"""Fixtures of the security tests: JSON log lines to read, a fake build of the web app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.observability.logs import configure_logging

INDEX = (
    '<!doctype html><html><head><script src="/color-scheme.js"></script>'
    '<script type="module" src="/assets/index-AbC123.js"></script></head>'
    '<body><div id="root"></div></body></html>'
)


@pytest.fixture(autouse=True)
def _no_log_file_after() -> Iterator[None]:
    """Tests here send logs to their app's file; afterwards nothing writes there."""
    yield
    configure_logging(None, terminal=False)


def log_lines(path: Path) -> list[dict]:
    """The JSON lines of a log file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def access_lines(path: Path) -> list[dict]:
    """The access lines of a log file."""
    return [line for line in log_lines(path) if line["log"]["logger"] == "storybot.access"]


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A tiny fake Vite build: index.html, a hashed asset and a top-level file."""
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets" / "index-AbC123.js").write_text("console.log(1);", encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    return folder


@pytest.fixture
def sqlite_app_client(sqlite_app: Flask) -> FlaskClient:
    """A client of the app on SQLite (what these tests check does not depend on the database)."""
    return sqlite_app.test_client()
