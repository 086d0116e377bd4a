"""Passwords, tokens, cookies and CSRF tokens never reach the log file or an error body."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from storybot.extensions import db
from storybot.observability.logs import configure_logging, redact

BEARER = "sbt_MadeUpBearerToken0123456789abcdef"
COOKIE = "MadeUpSessionCookie-9f8e7d6c5b4a"
CSRF = "MadeUpCsrfToken-1a2b3c4d5e6f"
PASSWORD = "MadeUp-Passw0rd-never-logged"
QUERY_TOKEN = "MadeUpQueryToken-0f1e2d3c"
SECRETS = (BEARER, COOKIE, CSRF, PASSWORD, QUERY_TOKEN)

HEADERS = {
    "Authorization": f"Bearer {BEARER}",
    "Cookie": f"storybot_session={COOKIE}",
    "X-CSRF-Token": CSRF,
}


@pytest.fixture
def debug_log(sqlite_app: Flask) -> Path:
    """The app's JSON log file at DEBUG: not even a debug line may hold a secret."""
    path: Path = sqlite_app.extensions["storybot.settings"].log_file
    configure_logging(path, "DEBUG", terminal=False)
    return path


@pytest.fixture
def client(sqlite_app: Flask) -> FlaskClient:
    """A client of an app with one route whose database error would carry a secret."""

    def failing_query() -> str:
        db.session.execute(text("SELECT :secret FROM no_such_table"), {"secret": PASSWORD})
        return "unreachable"

    sqlite_app.add_url_rule("/api/failing-query", "failing_query", failing_query)
    return sqlite_app.test_client()


def send(client: FlaskClient, method: str, path: str, **kw: object) -> TestResponse:
    """A request carrying every secret in its headers and query string."""
    query = {"token": QUERY_TOKEN, "access_token": QUERY_TOKEN, "password": PASSWORD}
    response = client.open(path, method=method, headers=HEADERS, query_string=query, **kw)
    response.get_data()
    return response


def assert_no_secret(where: str, content: str) -> None:
    """None of the made-up secrets appears in ``content``."""
    for secret in SECRETS:
        assert secret not in content, f"{secret!r} is in {where}"


def test_secrets_stay_out_of_the_log_and_the_error_bodies(
    client: FlaskClient, debug_log: Path
) -> None:
    answers = [
        send(client, "GET", "/api/prompts"),
        send(client, "GET", "/api/prompts/999999"),  # 404
        send(client, "POST", "/api/prompts", json={"content": "An owl", "password": PASSWORD}),
        send(client, "POST", "/api/profiles", json={"name": "Mia", "reading_level": PASSWORD}),
        send(client, "POST", "/api/profiles", json={"name": PASSWORD * 20}),
        send(client, "POST", "/api/profiles", json={"name": "Mia", "age": PASSWORD}),
        send(client, "PATCH", "/api/settings", json={"password": PASSWORD}),
        send(
            client,
            "POST",
            "/api/prompts",
            data=f'{{"password": "{PASSWORD}"',
            content_type="application/json",
        ),  # malformed JSON
        send(client, "POST", "/api/prompts", data=PASSWORD, content_type="text/plain"),  # 415
        send(client, "DELETE", "/api/health"),  # 405
        send(client, "GET", "/api/failing-query"),  # 500: a database error
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200, 404, 422, 422, 422, 422, 422, 400, 415, 405, 500]
    for answer in answers:
        assert_no_secret(f"the answer to {answer.request.path}", answer.get_data(as_text=True))
        assert_no_secret("the answer's headers", str(answer.headers))
    log = debug_log.read_text(encoding="utf-8")
    assert "storybot.access" in log  # the log was written
    assert "unhandled error" in log
    assert_no_secret("the log file", log)


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ("Authorization: Bearer abc.DEF-123 sent", "Authorization: Bearer [redacted] sent"),
        ("used sbt_AbC1xyz_9-q", "used sbt_[redacted]"),
        ("Cookie: storybot_session=xyz.1; lang=en", "Cookie: storybot_session=[redacted]; lang=en"),
        (
            '{"email": "a@b.example", "password": "hunter22"}',
            '{"email": "a@b.example", "password": "[redacted]"}',
        ),
        ("{'new_password': 'hunter22'}", "{'new_password': '[redacted]'}"),
        ("?token=abc&page=2", "?token=[redacted]&page=2"),
        ("csrf_token: abc123", "csrf_token: [redacted]"),
        ("max_tokens=100, 5 tokens, a token budget", "max_tokens=100, 5 tokens, a token budget"),
    ],
)
def test_redact_blanks_the_values_of_secrets(line: str, written: str) -> None:
    assert redact(line) == written


def test_a_secret_a_bug_logs_is_blanked_in_the_file_and_on_the_terminal(
    sqlite_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    path: Path = sqlite_app.extensions["storybot.settings"].log_file
    configure_logging(path, terminal=True)
    try:
        raise ValueError(f"could not use Bearer {BEARER} with password={PASSWORD}")
    except ValueError:
        logging.getLogger("storybot.test").exception("a careless line: %s", {"token": BEARER})
    written = path.read_text(encoding="utf-8") + capsys.readouterr().err
    assert "a careless line" in written
    assert "[redacted]" in written
    assert_no_secret("the log", written)
