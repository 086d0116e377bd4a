"""API tokens: shown once, stored hashed, used by scripts, revoked."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from storybot.extensions import db
from storybot.models import ApiToken
from tests.support import Account


def test_a_token_is_shown_once_works_and_stops_when_revoked(
    app: Flask, client: FlaskClient, admin: Account
) -> None:
    made = client.post("/api/tokens", json={"name": "nightly backup"})
    assert made.status_code == 201
    token = made.json["token"]
    assert token.startswith("sbt_")
    assert made.json["prefix"] == token[:8]
    assert made.json["last_used_at"] is None

    listed = client.get("/api/tokens").json["items"]
    mine = next(t for t in listed if t["id"] == made.json["id"])
    assert mine["name"] == "nightly backup"
    assert "token" not in mine  # never again
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored  # kept hashed
    assert all(len(h) == 64 for h in stored)

    script = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=bearer).json["email"] == admin.email
    assert (
        script.post("/api/prompts", json={"content": "by cron"}, headers=bearer).status_code == 201
    )
    used = next(t for t in client.get("/api/tokens").json["items"] if t["id"] == made.json["id"])
    assert used["last_used_at"] is not None

    assert client.delete(f"/api/tokens/{made.json['id']}").status_code == 204
    refused = script.get("/api/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"
    assert client.delete(f"/api/tokens/{made.json['id']}").status_code == 404


def test_a_made_up_or_malformed_token_is_refused(app: Flask, admin: Account) -> None:
    script = app.test_client()
    for header in ("Bearer sbt_made-up", "Bearer ", "Basic Zm9vOmJhcg==", admin.token):
        answer = script.get("/api/prompts", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="storybot"'


def test_a_disabled_accounts_tokens_stop_at_once(
    app: Flask, client: FlaskClient, member: Account, member_client: FlaskClient
) -> None:
    assert member_client.get("/api/me").status_code == 200
    disabled = client.patch(f"/api/users/{member.id}", json={"disabled": True})
    assert disabled.status_code == 200
    assert disabled.json["disabled"] is True
    assert member_client.get("/api/me").status_code == 401
    client.patch(f"/api/users/{member.id}", json={"disabled": False})
    assert member_client.get("/api/me").status_code == 200
