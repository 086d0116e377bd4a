"""Fixtures of the contract tests: one app for a whole module, signed in as an admin, that
never leaves the machine (its engines, of every kind, are one fake; downloads fail at once)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from storybot.database import write_intent
from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import Role, User
from storybot.services import settings_service, token_service
from storybot.services.components import components
from storybot.services.model_downloads import DownloadFailed, ModelDownload
from storybot.services.settings_service import SettingsPatch
from tests.support import Account, add_account, build_app, first_admin, make_settings


def _offline(download: ModelDownload) -> None:
    raise DownloadFailed("connection_lost", "The contract tests reach no other server.")


def _empty_postgres(url: str) -> str:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def contract_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app whose every engine is one fake engine, for a whole test module, on SQLite and
    then on PostgreSQL (as every app of the suite).

    Fuzzing may configure any engine (a local GGUF file, a server at any address): each is
    built as the fake, so no model runs and no request leaves the machine; a download ends
    at once as failed, and discovery tries no port.
    """
    tmp_path: Path = tmp_path_factory.mktemp("contract")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelDownload, "_download", _offline)
        database_url = None
        if request.param == "postgresql":
            database_url = _empty_postgres(request.getfixturevalue("postgres_database"))
        app = build_app(make_settings(tmp_path, database_url, discovery_ports=[]))
        engine = FakeEngine("fake")
        registry = components(app).engines
        for kind in ("local", "openai", "fake"):
            registry.register_factory(kind, lambda *_: engine)
        with app.app_context(), write_intent():
            settings_service.update_settings(
                SettingsPatch.model_validate_json(
                    '{"engines": {"fake": {"type": "fake"}}, "default_engine": "fake"}'
                )
            )
        yield app
        components(app).runner.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def contract_admin(contract_app: Flask) -> list[Account]:
    """The admin the requests are signed in as (a list: it is replaced when fuzzing ends it)."""
    return [first_admin(contract_app)]


def _restored(app: Flask, account: Account) -> Account:
    """The account as an active admin again, with a new token (or a new admin, if deleted).

    Fuzzing may do to it what an admin may: revoke its token, disable it once another
    admin exists, make it a member, delete it.
    """
    with app.app_context():
        user = db.session.get(User, account.id)
        if user is None:
            return add_account(app, email=f"admin-{secrets.token_hex(4)}@example.com")
        user.disabled = False
        user.role = Role.ADMIN
        db.session.commit()
        return Account(user.id, user.email, token_service.create_token(user.id, "tests").token)


@pytest.fixture
def auth_headers(contract_app: Flask, contract_admin: list[Account]) -> dict[str, str]:
    """The headers that sign a request in as the admin (checked before each operation)."""
    answer = contract_app.test_client().get("/api/me", headers=contract_admin[0].headers)
    if answer.status_code != 200 or answer.json["role"] != "admin":
        contract_admin[0] = _restored(contract_app, contract_admin[0])
    return contract_admin[0].headers
