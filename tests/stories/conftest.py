"""Fixtures for story tests: an app whose default engine is a scripted fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from storybot.services.components import components
from tests.support import admin_client


@pytest.fixture
def fake_engine(app: Flask) -> Iterator[FakeEngine]:
    """A fake engine installed as the default engine of ``app``."""
    engine = FakeEngine("fake")
    components(app).engines.register_factory("fake", lambda *_: engine)
    client = admin_client(app)
    engines = {"local": {"type": "local"}, "fake": {"type": "fake"}}
    response = client.patch("/api/settings", json={"engines": engines, "default_engine": "fake"})
    assert response.status_code == 200, response.json
    yield engine
    components(app).runner.stop()  # cancels paused streams


@pytest.fixture
def reader(client: FlaskClient) -> dict:
    """A reader profile."""
    response = client.post(
        "/api/profiles",
        json={
            "name": "Mia",
            "age": 6,
            "interests": ["dinosaurs", "space"],
            "favourite_things": ["her red bicycle"],
            "things_to_avoid": ["spiders"],
            "reading_level": "early",
            "avatar": "🦕",
        },
    )
    assert response.status_code == 201, response.json
    return response.json
