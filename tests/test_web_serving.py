"""The built web app served by Flask: client routes fall back to index.html, the API never does."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import admin_client

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'
SCRIPT = "console.log('storybot');"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A tiny fake Vite build: index.html, a hashed asset and a top-level file."""
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets" / "index-AbC123.js").write_text(SCRIPT, encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    return folder


@pytest.fixture
def web_client(sqlite_app: Flask, build: Path) -> FlaskClient:
    """A client of an app that serves the fake build."""
    sqlite_app.config["STORYBOT_STATIC_DIR"] = str(build)
    return admin_client(sqlite_app)


def fetch(client: FlaskClient, path: str, method: str = "GET") -> TestResponse:
    """The whole answer, read and closed (files are streamed and must be closed)."""
    response = client.open(path, method=method)
    response.get_data()
    response.close()
    return response


def assert_index(response: TestResponse) -> None:
    """The answer is the app's page, revalidated on every load."""
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.get_data(as_text=True) == INDEX
    assert response.headers["Cache-Control"] == "no-cache"


def assert_json_404(response: TestResponse) -> None:
    """The API's JSON error envelope, not the app's page."""
    assert response.status_code == 404
    assert response.is_json
    assert response.json is not None
    assert response.json["error"]["code"] == "not_found"
    assert response.json["trace_id"]


def test_root_serves_index(web_client: FlaskClient) -> None:
    assert_index(fetch(web_client, "/"))


CLIENT_ROUTES = ["/prompts", "/prompts/5", "/stories/new", "/readers/", "/settings?tab=a", "/apis"]
NOT_CLIENT_ROUTES = ["/api/nope", "/api/", "/api", "/metrics/nope", "/api/prompts/x/y"]


@pytest.mark.parametrize("path", CLIENT_ROUTES)
def test_client_routes_fall_back_to_index(web_client: FlaskClient, path: str) -> None:
    assert_index(fetch(web_client, path))


def test_index_html_itself_is_not_cached(web_client: FlaskClient) -> None:
    assert_index(fetch(web_client, "/index.html"))


@pytest.mark.parametrize("path", NOT_CLIENT_ROUTES)
def test_api_and_metrics_keep_json_404(web_client: FlaskClient, path: str) -> None:
    assert_json_404(fetch(web_client, path))


def test_unknown_api_route_is_404_for_every_method(web_client: FlaskClient) -> None:
    assert_json_404(fetch(web_client, "/api/nope", "POST"))
    assert_json_404(fetch(web_client, "/api/nope", "DELETE"))


def test_api_and_metrics_still_answer(web_client: FlaskClient) -> None:
    assert fetch(web_client, "/api/health").status_code == 200
    assert fetch(web_client, "/api/prompts").is_json
    assert fetch(web_client, "/metrics").status_code == 200
    # A wrong method on a real API route is still 405, not swallowed by the fallback.
    assert fetch(web_client, "/api/health", "POST").status_code == 405


def test_hashed_assets_are_cached_for_a_year(web_client: FlaskClient) -> None:
    response = fetch(web_client, "/assets/index-AbC123.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == SCRIPT
    assert "javascript" in response.mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_missing_asset_is_404_not_the_page(web_client: FlaskClient) -> None:
    assert_json_404(fetch(web_client, "/assets/index-gone.js"))
    assert_json_404(fetch(web_client, "/robots.txt"))


def test_top_level_files_of_the_build_are_served(web_client: FlaskClient) -> None:
    response = fetch(web_client, "/favicon.svg")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<svg/>"
    assert "max-age=3600" in response.headers["Cache-Control"]


def test_paths_cannot_leave_the_build(web_client: FlaskClient, build: Path) -> None:
    (build.parent / "secret.txt").write_text("secret", encoding="utf-8")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = fetch(web_client, path)
        assert b"secret" not in response.get_data()


def test_other_methods_on_client_routes_are_refused(web_client: FlaskClient) -> None:
    response = fetch(web_client, "/prompts", "POST")
    assert response.status_code == 405
    assert response.is_json


def test_missing_build_explains_how_to_build(sqlite_app: Flask, tmp_path: Path) -> None:
    sqlite_app.config["STORYBOT_STATIC_DIR"] = str(tmp_path / "not-built")
    client = admin_client(sqlite_app)
    for path in ("/", "/prompts/5"):
        response = fetch(client, path)
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        assert "npm run build" in response.get_data(as_text=True)
    assert_json_404(fetch(client, "/api/nope"))


def test_static_dir_defaults_to_the_package(client: FlaskClient) -> None:
    import storybot

    app = client.application
    expected = Path(storybot.__file__).resolve().parent / "static"
    assert Path(app.config["STORYBOT_STATIC_DIR"]) == expected
    assert_json_404(fetch(client, "/api/nope"))
