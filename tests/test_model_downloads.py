"""Model downloads over real HTTP: progress, resume, checksum, disk space, cancel, then a story."""

from __future__ import annotations

import filecmp
import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.engines.local import builtin_model_path
from storybot.services.components import components
from storybot.services.model_downloads import RetryPolicy
from tests.model_file_server import ModelFileServer
from tests.support import admin_client, build_app, free_port, make_settings

BUILTIN = builtin_model_path()  # the file served: scripts/install.sh always installs it
NAME = "tiny-story-model.gguf"
MIB = 1_048_576


@pytest.fixture
def client(sqlite_app: Flask) -> Iterator[FlaskClient]:
    """A client of an app whose downloads retry quickly (downloads do not touch the database)."""
    components(sqlite_app).downloads.policy = RetryPolicy(first_wait=0.05)
    yield admin_client(sqlite_app)
    components(sqlite_app).downloads.close()


@pytest.fixture
def server(model_file_server: ModelFileServer) -> ModelFileServer:
    """The file server, serving the built-in model as ``tiny-story-model.gguf``."""
    assert BUILTIN is not None
    model_file_server.files[NAME] = BUILTIN
    return model_file_server


def models_dir(app: Flask) -> Path:
    return Path(components(app).settings.models_dir)


def start(client: FlaskClient, url: str, **extra: str) -> dict:
    response = client.post("/api/models/downloads", json={"url": url, **extra})
    assert response.status_code == 202, response.json
    assert response.headers["Location"].endswith(f"/api/models/downloads/{response.json['id']}")
    return response.json


def wait_ended(client: FlaskClient, download_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/api/models/downloads/{download_id}").json
        if state["status"] in ("done", "failed", "cancelled"):
            return state
        time.sleep(0.02)
    raise AssertionError(f"download {download_id} did not end: {state}")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(app: Flask) -> list[str]:
    folder = models_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_download_reports_progress_and_ends_as_a_listed_model(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    assert BUILTIN is not None
    size = BUILTIN.stat().st_size
    server.pause_at = 2 * MIB
    download = start(client, server.url(NAME), sha256=sha256_of(BUILTIN).upper())
    assert download["status"] == "downloading"
    assert server.paused.wait(10)
    deadline = time.monotonic() + 5
    state = client.get(f"/api/models/downloads/{download['id']}").json
    while state["bytes_done"] < 2 * MIB and time.monotonic() < deadline:
        time.sleep(0.02)
        state = client.get(f"/api/models/downloads/{download['id']}").json
    assert state["status"] == "downloading"
    assert state["bytes_done"] == 2 * MIB
    assert state["bytes_total"] == size
    assert leftovers(sqlite_app) == [f"{NAME}.part"]  # not a model until complete
    assert NAME.removesuffix(".gguf") not in {
        m["name"] for m in client.get("/api/models").json["items"]
    }

    server.release()
    done = wait_ended(client, download["id"])
    assert done["status"] == "done", done
    assert done["bytes_done"] == size
    assert done["error"] is None
    assert filecmp.cmp(models_dir(sqlite_app) / NAME, BUILTIN, shallow=False)
    assert leftovers(sqlite_app) == [NAME]
    listed = {m["name"]: m for m in client.get("/api/models").json["items"]}
    assert listed["tiny-story-model"]["source"] == "downloaded"
    assert listed["tiny-story-model"]["size_bytes"] == size
    assert listed["SmolLM2-135M-Instruct.Q4_1"]["source"] == "builtin"
    assert [d["id"] for d in client.get("/api/models/downloads").json["items"]] == [download["id"]]


def test_a_dropped_connection_resumes_where_it_stopped(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    assert BUILTIN is not None
    middle = BUILTIN.stat().st_size // 2 + 12_345
    server.drop_at = middle
    done = wait_ended(client, start(client, server.url(NAME), sha256=sha256_of(BUILTIN))["id"])
    assert done["status"] == "done", done
    assert done["retries"] == 1
    assert [r.range for r in server.requests] == [None, f"bytes={middle}-"]
    assert filecmp.cmp(models_dir(sqlite_app) / NAME, BUILTIN, shallow=False)


def test_a_server_that_ignores_range_is_downloaded_again_from_the_start(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    assert BUILTIN is not None
    server.ranges = False
    server.drop_at = 3 * MIB
    done = wait_ended(client, start(client, server.url(NAME))["id"])
    assert done["status"] == "done", done
    assert len(server.requests) == 2
    assert filecmp.cmp(models_dir(sqlite_app) / NAME, BUILTIN, shallow=False)


def test_a_checksum_mismatch_fails_and_removes_the_file(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    failed = wait_ended(client, start(client, server.url(NAME), sha256="0" * 64)["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "checksum_mismatch"
    assert "0" * 64 in failed["error"]["message"]
    assert leftovers(sqlite_app) == []
    assert "tiny-story-model" not in {m["name"] for m in client.get("/api/models").json["items"]}


def test_a_model_larger_than_the_free_disk_is_refused_before_writing(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    free = shutil.disk_usage(components(sqlite_app).settings.data_dir).free
    server.announce_size = free + 1024 * MIB
    failed = wait_ended(client, start(client, server.url(NAME))["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "not_enough_space"
    assert "free" in failed["error"]["message"]
    assert failed["bytes_done"] == 0
    assert leftovers(sqlite_app) == []


def test_the_disk_reserve_is_configurable(tmp_path: Path, server: ModelFileServer) -> None:
    free = shutil.disk_usage(tmp_path).free
    app = build_app(make_settings(tmp_path, download_reserve_bytes=free + 1024 * MIB))
    client = admin_client(app)
    failed = wait_ended(client, start(client, server.url(NAME))["id"])
    assert failed["error"]["code"] == "not_enough_space"
    assert "must stay free" in failed["error"]["message"]


def test_cancel_stops_the_download_and_removes_the_partial_file(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer
) -> None:
    server.pause_at = MIB
    download = start(client, server.url(NAME))
    assert server.paused.wait(10)
    assert leftovers(sqlite_app) == [f"{NAME}.part"]
    cancelled = client.delete(f"/api/models/downloads/{download['id']}")
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert leftovers(sqlite_app) == []
    server.release()
    time.sleep(0.2)  # the server's answer goes on; nothing more is written
    assert leftovers(sqlite_app) == []
    assert client.get(f"/api/models/downloads/{download['id']}").json["status"] == "cancelled"
    # Once ended, a delete takes it off the list.
    assert client.delete(f"/api/models/downloads/{download['id']}").status_code == 200
    assert client.get(f"/api/models/downloads/{download['id']}").status_code == 404


def test_links_that_are_not_gguf_files_are_refused(
    client: FlaskClient, sqlite_app: Flask, server: ModelFileServer, tmp_path: Path
) -> None:
    for url in ("ftp://example.org/model.gguf", "file:///etc/passwd", server.url("model.bin")):
        response = client.post("/api/models/downloads", json={"url": url})
        assert response.status_code == 422, url
        assert response.json["error"]["details"][0]["field"] == "url"
    bad_sum = client.post("/api/models/downloads", json={"url": server.url(NAME), "sha256": "xyz"})
    assert bad_sum.status_code == 422

    page = tmp_path / "page.html"
    page.write_text("<html>a download page, not the file</html>")
    server.files["page.gguf"] = page
    failed = wait_ended(client, start(client, server.url("page.gguf"))["id"])
    assert failed["error"]["code"] == "not_gguf"
    assert leftovers(sqlite_app) == []

    missing = wait_ended(client, start(client, server.url("missing.gguf"))["id"])
    assert missing["error"]["code"] == "http_error"
    assert "404" in missing["error"]["message"]
    assert client.get("/api/models/downloads/nope").status_code == 404


def test_a_server_that_cannot_be_reached_fails_after_a_few_tries(
    client: FlaskClient, sqlite_app: Flask
) -> None:
    url = f"http://127.0.0.1:{free_port()}/models/{NAME}"
    failed = wait_ended(client, start(client, url)["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "connection_lost"
    assert "could not reach 127.0.0.1" in failed["error"]["message"]
    assert failed["retries"] == RetryPolicy().retries
    assert leftovers(sqlite_app) == []


def test_a_file_already_there_or_coming_is_not_downloaded_twice(
    client: FlaskClient, server: ModelFileServer
) -> None:
    server.pause_at = MIB
    first = start(client, server.url(NAME))
    again = client.post("/api/models/downloads", json={"url": server.url(NAME)})
    assert again.status_code == 409
    assert again.json["error"]["details"] == {"download_id": first["id"]}
    server.release()
    assert wait_ended(client, first["id"])["status"] == "done"
    exists = client.post("/api/models/downloads", json={"url": server.url(NAME)})
    assert exists.status_code == 409
    assert exists.json["error"]["code"] == "model_exists"


@pytest.mark.slow
def test_a_downloaded_model_becomes_a_local_engine_and_writes_a_story(
    client: FlaskClient, server: ModelFileServer
) -> None:
    done = wait_ended(client, start(client, server.url(NAME))["id"])
    assert done["status"] == "done", done
    engine = client.post(
        f"/api/models/{done['model_name']}/engine", json={"languages": ["en"], "make_default": True}
    )
    assert engine.status_code == 201, engine.json
    assert engine.json == {
        **engine.json,
        "name": "tiny-story-model",
        "kind": "local",
        "ok": True,
        "default": True,
        "languages": ["en"],
    }
    listed = {m["name"]: m for m in client.get("/api/models").json["items"]}
    assert listed["tiny-story-model"]["engines"] == ["tiny-story-model"]

    story = client.post(
        "/api/stories", json={"prompt": "A fox who finds a red kite", "length": "short"}
    )
    assert story.status_code == 202, story.json
    assert story.json["engine"] == "tiny-story-model"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        current = client.get(f"/api/stories/{story.json['id']}").json
        if current["status"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert current["status"] in ("done", "incomplete"), current
    assert len(current["text"].split()) > 20


def test_the_built_in_model_can_be_made_another_engine_and_unknown_models_are_404(
    client: FlaskClient,
) -> None:
    made = client.post(
        "/api/models/SmolLM2-135M-Instruct.Q4_1/engine",
        json={"languages": ["en"], "engine": "small"},
    )
    assert made.status_code == 201, made.json
    assert made.json["name"] == "small"
    # No path is stored for the built-in file (an upgrade moves it).
    assert client.get("/api/settings").json["engines"]["small"]["model_path"] is None
    missing = client.post("/api/models/nope/engine", json={"languages": ["ja"]})
    assert missing.status_code == 404
    no_language = client.post(
        "/api/models/SmolLM2-135M-Instruct.Q4_1/engine", json={"languages": []}
    )
    assert no_language.status_code == 422
