"""Finding OpenAI-compatible servers on this machine, and adding one as an engine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.extensions import db
from storybot.services.components import components
from tests.engines.fake_openai_server import (  # noqa: F401
    FakeOpenAIServer,
    Reply,
    fake_openai,
    free_port,
)
from tests.model_file_server import ModelFileServer
from tests.support import add_account, admin_client, build_app, make_settings, signed_in


@pytest.fixture
def found_server(fake_openai: FakeOpenAIServer) -> FakeOpenAIServer:  # noqa: F811
    """The scripted server, listing two models as Ollama does (owned_by "library")."""
    fake_openai.models = ["qwen2.5:3b", "llama3.2:1b"]
    return fake_openai


@pytest.fixture
def app_probing(tmp_path: Path, found_server: FakeOpenAIServer) -> Iterator[Flask]:
    """An app that probes the scripted server's port and a port with nothing on it."""
    app = build_app(make_settings(tmp_path, discovery_ports=[free_port(), found_server.port]))
    yield app
    with app.app_context():
        db.engine.dispose()


def written(client: FlaskClient, story_id: int) -> dict:
    """The story once it is no longer queued or being written (at most ten seconds)."""
    deadline = time.monotonic() + 10
    while (story := client.get(f"/api/stories/{story_id}").json)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return story


def test_a_server_on_a_probed_port_is_found_with_its_models(
    app_probing: Flask, found_server: FakeOpenAIServer
) -> None:
    client = admin_client(app_probing)
    started = time.monotonic()
    response = client.get("/api/engines/discover")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    closed_port, open_port = components(app_probing).settings.discovery_ports
    assert response.json["ports"] == [closed_port, open_port]
    assert response.json["items"] == [
        {
            "base_url": f"http://127.0.0.1:{open_port}/v1",
            "port": open_port,
            "kind": "openai_compatible",  # neither a usual port nor a known owner
            "models": ["qwen2.5:3b", "llama3.2:1b"],
            "configured": [],
        }
    ]
    assert elapsed < 1.5  # the port with nothing listening is skipped at once
    assert [r.path for r in found_server.requests] == ["/v1/models"]


def test_adding_a_found_server_makes_a_working_engine_that_writes_japanese(
    app_probing: Flask, found_server: FakeOpenAIServer
) -> None:
    client = admin_client(app_probing)
    found = client.get("/api/engines/discover").json["items"][0]
    added = client.post(
        "/api/engines",
        json={
            "config": {
                "type": "openai",
                "base_url": found["base_url"],
                "model": found["models"][0],
                "languages": ["en", "ja"],
            }
        },
    )
    assert added.status_code == 201, added.json
    assert added.json["name"] == "qwen2.5-3b"
    assert added.json["ok"] is True
    assert added.json["languages"] == ["en", "ja"]
    assert added.json["default"] is False

    again = client.get("/api/engines/discover").json["items"][0]
    assert again["configured"] == [{"engine": "qwen2.5-3b", "model": "qwen2.5:3b"}]
    names = [e["name"] for e in client.get("/api/engines").json["items"]]
    assert names == ["local", "qwen2.5-3b"]

    taken = client.post(
        "/api/engines",
        json={
            "name": "local",
            "config": {"type": "openai", "base_url": found["base_url"], "model": "x"},
        },
    )
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "engine_exists"

    story = client.post(
        "/api/stories", json={"prompt": "くまの おはなし", "language": "ja", "engine": "qwen2.5-3b"}
    )
    assert story.status_code == 202, story.json
    current = written(client, story.json["id"])
    assert current["status"] == "done", current
    assert found_server.chat_requests()[0].body["model"] == "qwen2.5:3b"


def test_the_kind_is_guessed_from_the_answer(
    app_probing: Flask, found_server: FakeOpenAIServer
) -> None:
    found_server.owned_by = "library"  # as Ollama answers
    found = admin_client(app_probing).get("/api/engines/discover").json["items"]
    assert [s["kind"] for s in found] == ["ollama"]


def test_something_else_on_a_port_is_not_listed(tmp_path: Path) -> None:
    other = ModelFileServer({}).start()  # answers 404 to /v1/models
    try:
        app = build_app(make_settings(tmp_path, discovery_ports=[other.port]))
        assert admin_client(app).get("/api/engines/discover").json["items"] == []
    finally:
        other.stop()


def test_only_an_admin_adds_an_engine(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path))
    admin = admin_client(app)
    member = signed_in(app.test_client(), add_account(app, "member@example.com", "member"))
    body = {"config": {"type": "openai", "base_url": "http://127.0.0.1:11434/v1", "model": "m"}}
    assert member.post("/api/engines", json=body).status_code == 403
    assert member.get("/api/engines/discover").status_code == 200
    assert admin.post("/api/engines", json=body).status_code == 201


def test_a_japanese_family_gets_a_japanese_story_with_furigana_after_one_step(
    app_probing: Flask, found_server: FakeOpenAIServer
) -> None:
    """The issue's promise, end to end: a server found on this machine is added in one
    step, and a Japanese reader's story comes with readings over its kanji."""
    client = admin_client(app_probing)
    found = client.get("/api/engines/discover").json["items"][0]
    config = {"type": "openai", "base_url": found["base_url"], "model": found["models"][0]}
    added = client.post(
        "/api/engines", json={"config": {**config, "languages": ["ja"]}, "make_default": True}
    )
    assert added.status_code == 201, added.json
    yui = client.post(
        "/api/profiles",
        json={"name": "ゆい", "age": 6, "language": "ja", "furigana": "all"},
    ).json
    found_server.enqueue(Reply(pieces=["むかしむかし、", "電車が すきな くまが いました。"]))

    story = client.post(
        "/api/stories", json={"prompt": "でんしゃの おはなし", "profile_id": yui["id"]}
    )
    assert story.status_code == 202, story.json
    current = written(client, story.json["id"])

    assert current["status"] == "done", current
    assert current["language"] == "ja"
    ruby = client.get(f"/api/stories/{story.json['id']}/furigana").json
    assert {"text": "電車", "reading": "でんしゃ"} in ruby["segments"]
    page = client.get(f"/api/stories/{story.json['id']}/export", query_string={"format": "html"})
    assert "<ruby>電車<rt>でんしゃ</rt></ruby>" in page.get_data(as_text=True)
