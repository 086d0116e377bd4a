"""Runtime settings in the database, and who may change them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.config import ConfigError, Settings
from storybot.extensions import db
from storybot.models import Setting
from storybot.services.settings_service import insert_default_config
from tests.support import add_account, signed_in


def test_defaults_are_stored_at_start(client: FlaskClient) -> None:
    settings = client.get("/api/settings").json
    assert settings["default_engine"] == "local"
    assert settings["default_length"] == "medium"
    with client.application.app_context():
        keys = set(db.session.scalars(db.select(Setting.key)))
    assert set(settings) == keys


def test_insert_default_config_is_idempotent(client: FlaskClient) -> None:
    client.patch("/api/settings", json={"default_tone": "funny"})
    with client.application.app_context():
        assert insert_default_config() is False
        assert db.session.get(Setting, "default_tone").value == "funny"
        assert db.session.scalar(db.select(db.func.count()).select_from(Setting)) == len(
            client.get("/api/settings").json
        )


def test_patch_changes_and_keeps_the_rest(client: FlaskClient) -> None:
    response = client.patch("/api/settings", json={"default_length": "long"})
    assert response.status_code == 200
    assert response.json["default_length"] == "long"
    assert client.get("/api/settings").json["default_length"] == "long"
    assert client.get("/api/settings").json["default_engine"] == "local"


@pytest.mark.parametrize(
    "body",
    [
        {"no_such_setting": 1},
        {"default_length": "enormous"},
        {"max_queued_stories": "20"},
        {"max_queued_stories": 0},
        {"max_stories_per_account": 0},
        {"max_stories_per_account": 2.5},
        {"default_tone": None},
        {"default_engine": 5},
    ],
)
def test_unknown_keys_and_wrong_types_are_422(client: FlaskClient, body: dict) -> None:
    before = client.get("/api/settings").json
    response = client.patch("/api/settings", json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert client.get("/api/settings").json == before


def test_members_read_settings_and_only_admins_change_them(app: Flask, client: FlaskClient) -> None:
    member = signed_in(app.test_client(), add_account(app, "member@example.com", "member"))
    assert member.get("/api/settings").status_code == 200  # reading is for everyone signed in
    denied = member.patch("/api/settings", json={"default_tone": "sleepy"})
    assert denied.status_code == 403
    assert denied.json["error"]["code"] == "forbidden"
    assert member.patch("/api/settings", json={"bogus": 1}).status_code == 403
    stranger = app.test_client()
    assert stranger.get("/api/settings").status_code == 401
    # a caller who is not signed in learns nothing from validation either
    refused = stranger.patch("/api/settings", json={"bogus": 1})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = stranger.patch(
        "/api/settings", json={"default_tone": "sleepy"}, headers={"Authorization": "Bearer no"}
    )
    assert wrong.status_code == 401
    assert client.patch("/api/settings", json={"default_tone": "sleepy"}).status_code == 200
    assert member.get("/api/settings").json["default_tone"] == "sleepy"


def test_listening_beyond_loopback_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STORYBOT_SECRET_KEY"):
        Settings(host="0.0.0.0", data_dir=tmp_path).check_can_start()
    Settings(host="0.0.0.0", secret_key="x" * 32, data_dir=tmp_path).check_can_start()
    Settings(host="127.0.0.1", data_dir=tmp_path).check_can_start()
    Settings(host="::1", data_dir=tmp_path).check_can_start()


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STORYBOT_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path).check_can_start()
    Settings(env="production", secret_key="k" * 32, data_dir=tmp_path).check_can_start()


def test_cors_origins_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYBOT_CORS_ORIGINS", "https://stories.example, http://localhost:3000")
    assert Settings(data_dir=tmp_path).cors_origins == [
        "https://stories.example",
        "http://localhost:3000",
    ]
    monkeypatch.setenv("STORYBOT_CORS_ORIGINS", "*")
    with pytest.raises(ValueError, match="one by one"):
        Settings(data_dir=tmp_path)
