"""Admins manage accounts: create, role, disable, reset, quota, delete; members cannot."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from storybot.extensions import db
from storybot.models import Profile, Prompt, Story
from tests.support import Account


def test_an_admin_creates_a_member_who_signs_in_with_the_examples(
    app: Flask, client: FlaskClient
) -> None:
    made = client.post(
        "/api/users", json={"email": "Teacher@School.example", "password": "a classroom pass"}
    )
    assert made.status_code == 201
    assert made.json["email"] == "teacher@school.example"
    assert made.json["role"] == "member"
    assert made.json["daily_token_quota"] is None
    taken = client.post(
        "/api/users", json={"email": "teacher@school.example", "password": "another one!"}
    )
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "email_taken"

    browser = app.test_client()
    me = browser.post(
        "/api/auth/login",
        json={"email": "teacher@school.example", "password": "a classroom pass"},
    )
    assert me.status_code == 200
    assert me.json["role"] == "member"
    assert browser.get("/api/prompts").json["total"] > 0  # the example prompts
    listed = client.get("/api/users").json["items"]
    assert [u["email"] for u in listed] == ["admin@example.com", "teacher@school.example"]
    assert listed[1]["last_login_at"] is not None


def test_members_cannot_manage_accounts_or_settings(member_client: FlaskClient) -> None:
    for method, url in [
        ("GET", "/api/users"),
        ("POST", "/api/users"),
        ("PATCH", "/api/settings"),
        ("POST", "/api/engines"),
        ("POST", "/api/models/downloads"),
    ]:
        answer = member_client.open(url, method=method, json={})
        assert answer.status_code == 403, (method, url)
        assert answer.json["error"]["code"] == "forbidden"


def test_a_reset_password_ends_the_members_sessions(
    app: Flask, client: FlaskClient, member: Account
) -> None:
    browser = app.test_client()
    browser.post(
        "/api/auth/login", json={"email": member.email, "password": "a long test password"}
    )
    assert browser.get("/api/me").status_code == 200
    reset = client.patch(f"/api/users/{member.id}", json={"password": "a fresh password"})
    assert reset.status_code == 200
    assert browser.get("/api/me").status_code == 401
    again = app.test_client().post(
        "/api/auth/login", json={"email": member.email, "password": "a fresh password"}
    )
    assert again.status_code == 200


def test_the_last_admin_stays(client: FlaskClient, admin: Account, member: Account) -> None:
    for change in ({"role": "member"}, {"disabled": True}):
        refused = client.patch(f"/api/users/{admin.id}", json=change)
        assert refused.status_code == 409
        assert refused.json["error"]["code"] == "last_admin"
    assert client.delete(f"/api/users/{admin.id}").status_code == 409
    promoted = client.patch(f"/api/users/{member.id}", json={"role": "admin"})
    assert promoted.json["role"] == "admin"
    assert client.patch(f"/api/users/{admin.id}", json={"role": "member"}).status_code == 200


def test_deleting_an_account_deletes_its_data_and_nothing_else(
    app: Flask, client: FlaskClient, member: Account, member_client: FlaskClient
) -> None:
    member_client.post("/api/prompts", json={"content": "The other family's prompt"})
    member_client.post("/api/profiles", json={"name": "Ola"})
    client.post("/api/profiles", json={"name": "Mia"})
    with app.app_context():
        before = {
            m: db.session.scalar(select(func.count()).select_from(m)) for m in (Prompt, Profile)
        }
    assert client.delete(f"/api/users/{member.id}").status_code == 204
    assert member_client.get("/api/me").status_code == 401
    with app.app_context():
        owners = set(db.session.scalars(select(Prompt.owner_id)))
        assert owners == {client.get("/api/me").json["id"]}
        assert db.session.scalar(select(func.count()).select_from(Profile)) == before[Profile] - 1
        assert db.session.scalar(select(func.count()).select_from(Story)) == 0
    assert [p["name"] for p in client.get("/api/profiles").json["items"]] == ["Mia"]


def test_a_member_deletes_their_own_account_with_their_password(
    app: Flask, member: Account, member_client: FlaskClient
) -> None:
    wrong = member_client.delete("/api/me", json={"password": "not my password"})
    assert wrong.status_code == 422
    assert (
        member_client.delete("/api/me", json={"password": "a long test password"}).status_code
        == 204
    )
    assert member_client.get("/api/me").status_code == 401
