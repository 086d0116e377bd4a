"""The first admin, signing in and out, the session cookie, CSRF, passwords."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.extensions import db
from storybot.models import Prompt, User
from tests.support import TEST_PASSWORD, Account, build_app, make_settings

PASSWORD = "a family password"


def _setup(client: FlaskClient, email: str = "parent@example.com") -> dict:
    answer = client.post("/api/auth/setup", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.json
    return answer.json


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("storybot_session")
    return cookie.value if cookie else None


def test_setup_makes_the_first_admin_only_while_no_account_exists(app: Flask) -> None:
    browser = app.test_client()
    assert browser.get("/api/auth/setup").json == {"needed": True}
    assert browser.get("/api/me").status_code == 401
    me = _setup(browser, "Parent@Example.COM")
    assert me["email"] == "parent@example.com"
    assert me["role"] == "admin"
    assert me["csrf_token"]
    # The setup signed this browser in.
    assert browser.get("/api/me").json["email"] == "parent@example.com"
    # The first account has the example prompts.
    assert browser.get("/api/prompts").json["total"] > 0

    assert app.test_client().get("/api/auth/setup").json == {"needed": False}
    again = app.test_client().post(
        "/api/auth/setup", json={"email": "intruder@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json["error"]["code"] == "setup_done"
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_setup_refuses_a_short_password_and_a_malformed_email(app: Flask) -> None:
    browser = app.test_client()
    short = browser.post("/api/auth/setup", json={"email": "a@example.com", "password": "short"})
    assert short.status_code == 422
    assert short.json["error"]["details"][0]["field"] == "password"
    bad = browser.post("/api/auth/setup", json={"email": "no-at-sign", "password": PASSWORD})
    assert bad.status_code == 422
    assert browser.get("/api/auth/setup").json == {"needed": True}


def test_data_from_before_accounts_goes_to_the_first_admin(app: Flask) -> None:
    with app.app_context():
        db.session.add(Prompt(content="Kept from before accounts", title="Old"))
        db.session.commit()
    browser = app.test_client()
    _setup(browser)
    contents = {p["content"] for p in browser.get("/api/prompts?limit=100").json["items"]}
    assert "Kept from before accounts" in contents


def test_sign_in_and_out_with_a_session_cookie(app: Flask, admin: Account) -> None:
    browser = app.test_client()
    wrong = browser.post("/api/auth/login", json={"email": admin.email, "password": "nope nope"})
    assert wrong.status_code == 401
    assert wrong.json["error"]["code"] == "invalid_credentials"
    unknown = browser.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "nope nope"}
    )
    assert unknown.status_code == 401
    assert unknown.json["error"] == wrong.json["error"]  # the same answer: no account revealed

    before = _session_cookie(browser)
    signed = browser.post("/api/auth/login", json={"email": admin.email, "password": TEST_PASSWORD})
    assert signed.status_code == 200
    header = next(v for k, v in signed.headers.items() if k == "Set-Cookie")
    assert "storybot_session=" in header
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Expires=" in header  # a session that ends
    assert "Secure" not in header  # plain HTTP on loopback: a Secure cookie would never return
    assert _session_cookie(browser) != before  # renewed at sign-in
    assert browser.get("/api/me").json["email"] == admin.email

    assert browser.post("/api/auth/logout").status_code == 204
    assert browser.get("/api/me").status_code == 401


def test_the_cookie_is_secure_over_tls(app: Flask, admin: Account) -> None:
    browser = app.test_client()
    signed = browser.post(
        "https://localhost/api/auth/login",
        json={"email": admin.email, "password": TEST_PASSWORD},
    )
    assert signed.status_code == 200
    assert "Secure" in signed.headers["Set-Cookie"]


def test_changes_with_the_cookie_need_the_csrf_token(app: Flask, admin: Account) -> None:
    browser = app.test_client()
    me = browser.post(
        "/api/auth/login", json={"email": admin.email, "password": TEST_PASSWORD}
    ).json
    missing = browser.post("/api/prompts", json={"content": "A forged change"})
    assert missing.status_code == 403
    assert missing.json["error"]["code"] == "csrf_failed"
    forged = browser.post(
        "/api/prompts", json={"content": "A forged change"}, headers={"X-CSRF-Token": "made-up"}
    )
    assert forged.status_code == 403
    made = browser.post(
        "/api/prompts",
        json={"content": "A real change"},
        headers={"X-CSRF-Token": me["csrf_token"]},
    )
    assert made.status_code == 201
    assert browser.get("/api/me").json["csrf_token"]  # the page can always fetch it again
    contents = {p["content"] for p in browser.get("/api/prompts?limit=100").json["items"]}
    assert "A forged change" not in contents
    # A token needs no CSRF token: no browser sends it by itself.
    scripted = app.test_client().post(
        "/api/prompts", json={"content": "By a script"}, headers=admin.headers
    )
    assert scripted.status_code == 201
    assert scripted.headers.get("Set-Cookie") is None  # a script gets no session


def test_a_password_change_ends_the_other_sessions(app: Flask, admin: Account) -> None:
    credentials = {"email": admin.email, "password": TEST_PASSWORD}
    laptop, phone = app.test_client(), app.test_client()
    csrf = laptop.post("/api/auth/login", json=credentials).json["csrf_token"]
    phone.post("/api/auth/login", json=credentials)
    wrong = laptop.post(
        "/api/me/password",
        json={"current_password": "not it at all", "new_password": "a new long password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 422
    assert wrong.json["error"]["details"][0]["field"] == "current_password"
    changed = laptop.post(
        "/api/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "a new long password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 204
    assert laptop.get("/api/me").status_code == 200  # this session goes on
    assert phone.get("/api/me").status_code == 401  # the other one ended
    old = app.test_client().post("/api/auth/login", json=credentials)
    assert old.status_code == 401
    new = app.test_client().post(
        "/api/auth/login", json={"email": admin.email, "password": "a new long password"}
    )
    assert new.status_code == 200


@pytest.mark.parametrize("secure_key", [False, True])
def test_sessions_survive_a_restart(tmp_path: Path, secure_key: bool) -> None:
    extra = {"secret_key": "k" * 64} if secure_key else {}
    first = build_app(make_settings(tmp_path, **extra))
    browser = first.test_client()
    _setup(browser)
    cookie = _session_cookie(browser)
    second = build_app(make_settings(tmp_path, **extra))
    again = second.test_client()
    assert cookie is not None
    again.set_cookie("storybot_session", cookie)
    assert again.get("/api/me").status_code == 200
    if not secure_key:
        key_file = tmp_path / "secret_key"
        assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_rotated_secret_key_keeps_browsers_signed_in_while_the_old_key_is_a_fallback(
    tmp_path: Path,
) -> None:
    old_key, new_key = "o" * 64, "n" * 64
    before = build_app(make_settings(tmp_path, secret_key=old_key))
    browser = before.test_client()
    csrf = _setup(browser)["csrf_token"]
    cookie = _session_cookie(browser)
    assert cookie is not None

    def page_on(app: Flask) -> FlaskClient:
        page = app.test_client()
        page.set_cookie("storybot_session", cookie)
        return page

    prompt = {"title": "Rotation", "content": "A story about a key that changed."}
    rotated = build_app(
        make_settings(tmp_path, secret_key=new_key, secret_key_fallbacks=f"{old_key}")
    )
    page = page_on(rotated)
    assert page.get("/api/me").status_code == 200
    # The page open since before the rotation still makes changes with its CSRF token.
    made = page.post("/api/prompts", json=prompt, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.json
    # A forged token is refused all the same.
    forged = page.post("/api/prompts", json=prompt, headers={"X-CSRF-Token": csrf[:-4] + "AAAA"})
    assert forged.json["error"]["code"] == "csrf_failed"

    # Once the old key is dropped, its sessions are over: that browser signs in again.
    done = build_app(make_settings(tmp_path, secret_key=new_key))
    assert page_on(done).get("/api/me").status_code == 401
