"""Fixtures of the contract tests: one app for a whole module, signed in, that never leaves
the machine (its engines, of every kind, are one fake; downloads fail at once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.services import settings_service
from storybot.services.model_downloads import DownloadFailed, ModelDownload
from storybot.services.settings_service import SettingsPatch
from tests.support import build_app, make_settings


def _offline(download: ModelDownload) -> None:
    raise DownloadFailed("connection_lost", "The contract tests reach no other server.")


@pytest.fixture(scope="module")
def contract_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on SQLite whose every engine is one fake engine, for a whole test module.

    Fuzzing may configure any engine (a local GGUF file, a server at any address): each is
    built as the fake, so no model runs and no request leaves the machine; a download ends
    at once as failed, and discovery tries no port.
    """
    tmp_path: Path = tmp_path_factory.mktemp("contract")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelDownload, "_download", _offline)
        app = build_app(make_settings(tmp_path, discovery_ports=[]))
        engine = FakeEngine("fake")
        registry = app.extensions["storybot.engines"]
        for kind in ("local", "openai", "fake"):
            registry.register_factory(kind, lambda *_: engine)
        with app.app_context():
            settings_service.update_settings(
                SettingsPatch.model_validate_json(
                    '{"engines": {"fake": {"type": "fake"}}, "default_engine": "fake"}'
                )
            )
        yield app
        app.extensions["storybot.runner"].stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def auth_headers(contract_app: Flask) -> dict[str, str]:
    """The headers of a signed-in admin's requests (none are needed before accounts)."""
    return {}
