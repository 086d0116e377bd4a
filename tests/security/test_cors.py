"""CORS: exact origins, with credentials and the CSRF header; every other origin refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pydantic import ValidationError

from storybot.config import Settings
from tests.support import build_app, make_settings

ALLOWED = "http://localhost:3000"


def preflight(client: FlaskClient, origin: str) -> dict[str, str]:
    """The headers of a browser's preflight for a cookie-signed POST from ``origin``."""
    response = client.options(
        "/api/prompts",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, X-CSRF-Token",
        },
    )
    assert response.status_code == 200
    return dict(response.headers)


def test_a_preflight_from_a_listed_origin_may_send_cookies_and_the_csrf_token(
    sqlite_app_client: FlaskClient,
) -> None:
    headers = preflight(sqlite_app_client, ALLOWED)
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert "x-csrf-token" in headers["Access-Control-Allow-Headers"].lower()
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Origin" in headers["Vary"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost:3000.evil.example",  # the listed origin as a prefix
        "http://localhost:30001",
        "https://localhost:3000",  # another scheme is another origin
        "null",
    ],
)
def test_a_preflight_from_any_other_origin_gets_no_cors_headers(
    sqlite_app_client: FlaskClient, origin: str
) -> None:
    headers = preflight(sqlite_app_client, origin)
    assert not any(name.startswith("Access-Control-") for name in headers), headers


def test_a_listed_origin_reads_answers_with_credentials(sqlite_app_client: FlaskClient) -> None:
    response = sqlite_app_client.get("/api/health", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Trace-Id" in response.headers["Access-Control-Expose-Headers"]
    refused = sqlite_app_client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_an_ipv6_origin_is_matched_exactly(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path, cors_origins="http://[::1]:3000"))
    client = app.test_client()
    assert preflight(client, "http://[::1]:3000")["Access-Control-Allow-Origin"] == (
        "http://[::1]:3000"
    )
    # Read as a regular expression, the brackets would admit http://1:3000.
    assert "Access-Control-Allow-Origin" not in preflight(client, "http://1:3000")


@pytest.mark.parametrize(
    "origins",
    ["*", "http://localhost:3000,*", "http://localhost:3000/", "localhost:3000", "http://a/b"],
)
def test_the_settings_accept_exact_origins_only(origins: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CORS origin"):
        Settings(data_dir=tmp_path, cors_origins=origins)  # type: ignore[arg-type]
