"""Health, readiness, CORS and the OpenAPI document."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import text

from storybot.extensions import db


def test_health_and_ready(client: FlaskClient) -> None:
    # A source checkout has no build stamp: no release id (a wheel's says its release).
    assert client.get("/api/health").json == {
        "status": "ok",
        "checks": {},
        "version": "0.1.0",
        "release": None,
    }
    ready = client.get("/api/ready")
    assert ready.status_code == 200
    assert ready.json["version"] == "0.1.0"
    assert ready.json["checks"]["migrations"]["ok"] is True


def test_not_ready_when_migrations_are_behind(client: FlaskClient) -> None:
    with client.application.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    ready = client.get("/api/ready")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"
    assert ready.json["checks"]["migrations"]["current"] == ["older"]


def test_cors_allows_listed_origins_only(client: FlaskClient) -> None:
    allowed = client.get("/api/prompts", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "X-Trace-Id" in allowed.headers["Access-Control-Expose-Headers"]
    # The session cookie goes along (tests/security/test_cors.py checks the rest).
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/api/prompts", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    plain = client.get("/api/prompts")
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_cors_preflight_allows_the_trace_header(client: FlaskClient) -> None:
    response = client.options(
        "/api/prompts",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, X-Trace-Id",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-trace-id" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_openapi_document_and_local_docs_page(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    document = spec.json
    assert document["openapi"].startswith("3.1")
    assert "/api/prompts" in document["paths"]
    assert "/api/prompts/{prompt_id}" in document["paths"]
    assert "PromptCreate" in document["components"]["schemas"]
    # Getting a better model: discovery, model files and their downloads.
    paths = document["paths"]
    assert set(paths["/api/engines"]) == {"get", "post"}
    assert "get" in paths["/api/engines/discover"]
    assert "get" in paths["/api/models"]
    assert {"get", "post"} <= set(paths["/api/models/downloads"])
    assert {"get", "delete"} <= set(paths["/api/models/downloads/{download_id}"])
    assert "post" in paths["/api/models/{model_name}/engine"]
    assert "202" in paths["/api/models/downloads"]["post"]["responses"]
    schemas = document["components"]["schemas"]
    for name in ("DiscoveryList", "EngineAdd", "DownloadCreate", "DownloadOut", "LocalModelList"):
        assert name in schemas, name
    page = client.get("/api/docs/swagger", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "swagger" in html.lower()
    assert "unpkg" not in html.lower()
    assert "cdn." not in html.lower()
