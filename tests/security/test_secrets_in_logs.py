"""Passwords, tokens, cookies and CSRF tokens never reach the log file or an error body."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.test import TestResponse

from storybot.database import write_intent
from storybot.extensions import db
from storybot.observability.logs import configure_logging, redact
from storybot.services import account_service
from storybot.services.components import components

BEARER = "sbt_MadeUpBearerToken0123456789abcdef"
COOKIE = "MadeUpSessionCookie-9f8e7d6c5b4a"
CSRF = "MadeUpCsrfToken-1a2b3c4d5e6f"
PASSWORD = "MadeUp-Passw0rd-never-logged"
WRONG_PASSWORD = "MadeUp-Wr0ng-Passw0rd-never-logged"
QUERY_TOKEN = "MadeUpQueryToken-0f1e2d3c"
MADE_UP = (BEARER, COOKIE, CSRF, PASSWORD, WRONG_PASSWORD, QUERY_TOKEN)
EMAIL = "parent@example.com"

FORGED_HEADERS = {
    "Authorization": f"Bearer {BEARER}",
    "Cookie": f"storybot_session={COOKIE}",
    "X-CSRF-Token": CSRF,
}
QUERY = {"token": QUERY_TOKEN, "access_token": QUERY_TOKEN, "password": PASSWORD}


@pytest.fixture
def debug_log(sqlite_app: Flask) -> Path:
    """The app's JSON log file at DEBUG: not even a debug line may hold a secret."""
    path: Path = components(sqlite_app).settings.log_file
    configure_logging(path, "DEBUG", terminal=False)
    return path


@pytest.fixture
def app_with_a_failing_query(sqlite_app: Flask) -> Flask:
    """The app with one route whose database error would carry the password."""

    def failing_query() -> str:
        db.session.execute(text("SELECT :secret FROM no_such_table"), {"secret": PASSWORD})
        return "unreachable"

    sqlite_app.add_url_rule("/api/failing-query", "failing_query", failing_query)
    with sqlite_app.app_context(), write_intent():
        account_service.create_first_admin(EMAIL, PASSWORD)
    return sqlite_app


def read(response: TestResponse) -> TestResponse:
    """The response, its body read."""
    response.get_data()
    return response


def assert_no_secret(where: str, content: str, secrets: tuple[str, ...] = MADE_UP) -> None:
    """None of ``secrets`` appears in ``content``."""
    for secret in secrets:
        assert secret not in content, f"{secret!r} is in {where}"


def test_secrets_stay_out_of_the_log_and_the_error_bodies(
    app_with_a_failing_query: Flask, debug_log: Path
) -> None:
    app = app_with_a_failing_query
    browser = app.test_client()
    errors: list[TestResponse] = []

    # Forged credentials: refused, and never repeated.
    stranger = app.test_client()
    errors += [
        read(stranger.get("/api/prompts", headers=FORGED_HEADERS, query_string=QUERY)),
        read(stranger.post("/api/prompts", headers=FORGED_HEADERS, json={"content": "x"})),
        read(stranger.post("/api/auth/login", json={"email": EMAIL, "password": WRONG_PASSWORD})),
        read(stranger.post("/api/auth/setup", json={"email": EMAIL, "password": PASSWORD})),
        read(stranger.post("/api/auth/login", json={"email": EMAIL, "password": "short"})),
    ]

    # A real sign-in (the cookie and its CSRF token), then a real API token.
    login = read(browser.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD}))
    assert login.status_code == 200, login.json
    cookie = browser.get_cookie("storybot_session")
    assert cookie is not None
    csrf = login.json["csrf_token"]
    made = read(
        browser.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    )
    assert made.status_code == 201, made.json
    token = made.json["token"]
    real = (cookie.value, csrf, token)

    script = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    errors += [
        read(script.get("/api/prompts/999999", headers=bearer, query_string=QUERY)),  # 404
        read(
            script.post("/api/prompts", headers=bearer, json={"content": "x", "password": PASSWORD})
        ),
        read(
            script.post(
                "/api/profiles", headers=bearer, json={"name": "Mia", "reading_level": PASSWORD}
            )
        ),
        read(script.post("/api/profiles", headers=bearer, json={"name": PASSWORD * 20})),
        read(script.post("/api/profiles", headers=bearer, json={"name": "Mia", "age": PASSWORD})),
        read(
            script.post(
                "/api/prompts",
                headers=bearer,
                data=f'{{"password": "{PASSWORD}"',
                content_type="application/json",
            )
        ),  # malformed JSON
        read(script.post("/api/prompts", headers=bearer, data=PASSWORD, content_type="text/plain")),
        read(script.delete("/api/health", headers=bearer)),  # 405
        read(script.get("/api/failing-query", headers=bearer)),  # 500: a database error
        read(
            browser.post(
                "/api/me/password",
                headers={"X-CSRF-Token": csrf},
                json={"current_password": WRONG_PASSWORD, "new_password": PASSWORD},
            )
        ),
        read(browser.post("/api/prompts", json={"content": "x"}, headers={"X-CSRF-Token": CSRF})),
        read(
            browser.delete(
                "/api/me", headers={"X-CSRF-Token": csrf}, json={"password": WRONG_PASSWORD}
            )
        ),
    ]
    assert [e.status_code for e in errors] == [
        401, 401, 401, 409, 401,
        404, 422, 422, 422, 422, 400, 415, 405, 500, 422, 403, 422,
    ]  # fmt: skip
    for answer in errors:
        where = f"the answer to {answer.request.method} {answer.request.path}"
        assert_no_secret(where, answer.get_data(as_text=True), MADE_UP + real)
        # Set-Cookie renews the browser's own session cookie, to the browser only.
        headers = "\n".join(f"{k}: {v}" for k, v in answer.headers if k != "Set-Cookie")
        assert_no_secret(f"the headers of {where}", headers, MADE_UP + real)

    log = debug_log.read_text(encoding="utf-8")
    assert "/api/auth/login" in log  # the log was written
    assert "/api/tokens" in log
    assert "unhandled error" in log
    assert_no_secret("the log file", log, MADE_UP + real)


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
    path: Path = components(sqlite_app).settings.log_file
    configure_logging(path, terminal=True)
    try:
        raise ValueError(f"could not use Bearer {BEARER} with password={PASSWORD}")
    except ValueError:
        logging.getLogger("storybot.test").exception("a careless line: %s", {"token": BEARER})
    written = path.read_text(encoding="utf-8") + capsys.readouterr().err
    assert "a careless line" in written
    assert "[redacted]" in written
    assert_no_secret("the log", written)
