"""Runtime settings in the database, and who may change them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from storybot.config import ConfigError, Settings
from storybot.extensions import db
from storybot.models import Setting
from storybot.services.settings_service import insert_default_config
from tests.support import build_app, make_settings


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


def test_with_an_admin_token_changes_need_it(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path, admin_token="s3cret-token"))
    client = app.test_client()
    assert client.get("/api/settings").status_code == 200  # reading stays open
    denied = client.patch("/api/settings", json={"default_tone": "sleepy"})
    assert denied.status_code == 401
    assert denied.json["error"]["code"] == "unauthorized"
    wrong = client.patch(
        "/api/settings", json={"default_tone": "sleepy"}, headers={"Authorization": "Bearer no"}
    )
    assert wrong.status_code == 401
    # a caller without the token learns nothing from validation either
    assert client.patch("/api/settings", json={"bogus": 1}).status_code == 401
    ok = client.patch(
        "/api/settings",
        json={"default_tone": "sleepy"},
        headers={"Authorization": "Bearer s3cret-token"},
    )
    assert ok.status_code == 200
    assert client.get("/api/settings").json["default_tone"] == "sleepy"


def test_listening_beyond_loopback_requires_an_admin_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STORYBOT_ADMIN_TOKEN"):
        Settings(host="0.0.0.0", data_dir=tmp_path).check_can_start()
    Settings(host="0.0.0.0", admin_token="x" * 16, data_dir=tmp_path).check_can_start()
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
