"""Limits: a flood of requests, of sign-in attempts or of stories gets 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from storybot.config import Settings
from storybot.extensions import db
from storybot.services.components import components
from tests.support import TEST_PASSWORD, add_account, build_app, make_settings, signed_in


@pytest.fixture
def limited(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps with the limits a test gives, on the test's database; closed after it."""
    made: list[Flask] = []

    def make(**limits: str) -> Flask:
        app = build_app(make_settings(tmp_path, database_url, **limits))
        made.append(app)
        return app

    yield make
    for app in made:
        components(app).runner.stop()
        with app.app_context():
            db.engine.dispose()


def _assert_refused(answer: TestResponse, code: str = "too_many_requests") -> None:
    assert answer.status_code == 429, answer.json
    assert answer.json["error"]["code"] == code
    assert answer.json["trace_id"]
    assert 0 < int(answer.headers["Retry-After"]) <= 3600


def test_sign_in_attempts_are_limited_the_same_for_any_email(limited: Callable[..., Flask]) -> None:
    app = limited(sign_in_email_rate_limit="3 per minute")
    admin = add_account(app)
    browser = app.test_client()
    for email in (admin.email, "nobody@example.com"):
        answers = [
            browser.post("/api/auth/login", json={"email": email, "password": "wrong guess"})
            for _ in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429], email
        _assert_refused(answers[-1])
    # Even the right password waits: the limit counts tries, not failures.
    right = browser.post(
        "/api/auth/login", json={"email": admin.email.upper(), "password": TEST_PASSWORD}
    )
    _assert_refused(right)
    # Another email from the same address is still let through.
    other = browser.post(
        "/api/auth/login", json={"email": "third@example.com", "password": "wrong guess"}
    )
    assert other.status_code == 401


def test_sign_in_attempts_are_limited_per_address(limited: Callable[..., Flask]) -> None:
    app = limited(sign_in_rate_limit="4 per minute")
    add_account(app)
    browser = app.test_client()
    codes = [
        browser.post(
            "/api/auth/login", json={"email": f"guess{i}@example.com", "password": "x" * 8}
        ).status_code
        for i in range(5)
    ]
    assert codes == [401, 401, 401, 401, 429]
    elsewhere = app.test_client().post(
        "/api/auth/login",
        json={"email": "guess@example.com", "password": "x" * 8},
        environ_base={"REMOTE_ADDR": "127.0.0.9"},
    )
    assert elsewhere.status_code == 401


def test_a_flood_of_requests_gets_429_per_account(limited: Callable[..., Flask]) -> None:
    app = limited(rate_limit="5 per minute")
    admin = add_account(app)
    family = signed_in(app.test_client(), admin)
    codes = [family.get("/api/prompts").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    refused = family.get("/api/prompts")
    _assert_refused(refused)
    assert app.test_client().get("/api/health").status_code == 200  # probes are never limited
    other = signed_in(app.test_client(), add_account(app, "b@example.com", "member"))
    assert other.get("/api/prompts").status_code == 200  # another account has its own count


def test_stories_asked_for_are_limited_per_account(limited: Callable[..., Flask]) -> None:
    app = limited(story_rate_limit="2 per hour")
    client = signed_in(app.test_client(), add_account(app))
    engines = {"local": {"type": "local"}, "fake": {"type": "fake"}}
    client.patch("/api/settings", json={"engines": engines, "default_engine": "fake"})
    codes = [client.post("/api/stories", json={"prompt": "A fox"}).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    _assert_refused(client.post("/api/stories", json={"prompt": "A fox"}))


def test_a_limit_that_is_not_one_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        Settings(data_dir=tmp_path, rate_limit="lots")


def test_limits_are_shared_through_redis(tmp_path: Path) -> None:
    """Two processes behind one gateway see one count: here two apps on one Redis."""
    redis_url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(redis_url).flushdb()
    one = build_app(
        make_settings(
            tmp_path / "one", redis_url=redis_url, sign_in_email_rate_limit="2 per minute"
        )
    )
    two = build_app(
        make_settings(
            tmp_path / "two", redis_url=redis_url, sign_in_email_rate_limit="2 per minute"
        )
    )
    attempt = {"email": "shared@example.com", "password": "wrong guess"}
    first: FlaskClient = one.test_client()
    second: FlaskClient = two.test_client()
    assert first.post("/api/auth/login", json=attempt).status_code == 401
    assert second.post("/api/auth/login", json=attempt).status_code == 401
    _assert_refused(first.post("/api/auth/login", json=attempt))
    _assert_refused(second.post("/api/auth/login", json=attempt))
    redis.Redis.from_url(redis_url).flushdb()


def test_a_request_without_a_route_is_not_counted(limited: Callable[..., Flask]) -> None:
    app = limited(rate_limit="3 per minute")
    admin = add_account(app)
    family = signed_in(app.test_client(), admin)
    assert [family.get("/api/no-such-thing").status_code for _ in range(4)] == [404] * 4
    codes = [family.get("/api/prompts").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
