"""Each account keeps its own story defaults; an admin's global settings fill the rest."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import Story
from tests.stories.support import wait_for


def _asked(app: Flask, story_id: int) -> dict:
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story is not None
        return dict(story.request)


def test_a_members_own_defaults_shape_their_stories_only(
    app: Flask, client: FlaskClient, member_client: FlaskClient, fake_engine: FakeEngine
) -> None:
    assert member_client.get("/api/me/defaults").json == {
        "default_length": None,
        "default_tone": None,
        "default_language": None,
        "default_engine": None,
    }
    changed = member_client.patch(
        "/api/me/defaults", json={"default_length": "short", "default_tone": "sleepy"}
    )
    assert changed.status_code == 200
    assert changed.json["default_length"] == "short"
    assert changed.json["default_tone"] == "sleepy"

    fake_engine.enqueue(["Good ", "night."])
    mine = member_client.post("/api/stories", json={"prompt": "The moon"}).json
    wait_for(member_client, mine["id"], "done")
    assert _asked(app, mine["id"])["length"] == "short"
    assert _asked(app, mine["id"])["tone"] == "sleepy"
    fake_engine.enqueue(["Good ", "day."])
    theirs = client.post("/api/stories", json={"prompt": "The sun"}).json
    wait_for(client, theirs["id"], "done")
    assert _asked(app, theirs["id"])["length"] == "medium"  # the global default

    unknown = member_client.patch("/api/me/defaults", json={"default_engine": "nowhere"})
    assert unknown.status_code == 422
    assert unknown.json["error"]["details"][0]["field"] == "default_engine"
    cleared = member_client.patch("/api/me/defaults", json={"default_length": None})
    assert cleared.json["default_length"] is None
    assert cleared.json["default_tone"] == "sleepy"  # a key left out stays
    assert member_client.patch("/api/me/defaults", json={"bogus": 1}).status_code == 422
