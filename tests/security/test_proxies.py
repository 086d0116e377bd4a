"""Forwarded headers are believed from exactly STORYBOT_TRUSTED_PROXIES proxies."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, request

from storybot.config import Settings
from storybot.observability.logs import configure_logging
from storybot.services.components import components
from tests.security.conftest import access_lines
from tests.support import build_app, make_settings

FORGED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "stories.example",
}


def app_trusting(tmp_path: Path, proxies: int) -> Flask:
    """An app on SQLite that trusts ``proxies`` proxies, logging to its JSON file."""
    app = build_app(make_settings(tmp_path, trusted_proxies=proxies))
    configure_logging(components(app).settings.log_file, terminal=False)
    return app


def test_with_no_trusted_proxy_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    app = app_trusting(tmp_path, 0)
    response = app.test_client().get("/api/health", headers=FORGED)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    (line,) = access_lines(components(app).settings.log_file)
    assert line["client"]["ip"] == "127.0.0.1"


def test_one_trusted_proxy_gives_the_client_address_scheme_and_host(tmp_path: Path) -> None:
    app = app_trusting(tmp_path, 1)
    client = app.test_client()

    @app.get("/_where")  # outside /api: no sign-in needed
    def where() -> dict[str, object]:
        return {"secure": request.is_secure, "host": request.host}

    response = client.get("/_where", headers=FORGED)
    assert response.json == {"secure": True, "host": "stories.example"}
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # Only the value the proxy appended counts: what the caller sent before it does not.
    client.get("/api/health", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    plain = client.get("/api/health")
    assert "Strict-Transport-Security" not in plain.headers
    lines = access_lines(components(app).settings.log_file)
    assert [line["client"]["ip"] for line in lines] == ["203.0.113.7", "203.0.113.9", "127.0.0.1"]


def test_the_count_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings(data_dir=tmp_path).trusted_proxies == 0
    monkeypatch.setenv("STORYBOT_TRUSTED_PROXIES", "2")
    assert Settings(data_dir=tmp_path).trusted_proxies == 2
    monkeypatch.setenv("STORYBOT_TRUSTED_PROXIES", "-1")
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(data_dir=tmp_path)


def sign_in_statuses(app: Flask, addresses: list[str]) -> list[int]:
    """The statuses of one wrong sign-in from each forwarded address (emails all different)."""
    client = app.test_client()
    return [
        client.post(
            "/api/auth/login",
            json={"email": f"nobody{n}@example.com", "password": "not the password"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for n, address in enumerate(addresses)
    ]


@pytest.mark.parametrize(
    ("proxies", "addresses", "statuses"),
    [
        # Direct: a forged address does not escape the caller's own limit.
        (0, ["203.0.113.1", "203.0.113.2", "203.0.113.3"], [401, 401, 429]),
        # Behind one proxy: each client address the proxy forwards has its own limit.
        (1, ["203.0.113.1", "203.0.113.2", "203.0.113.3"], [401, 401, 401]),
        (1, ["203.0.113.1", "203.0.113.1", "203.0.113.1"], [401, 401, 429]),
    ],
)
def test_sign_in_limits_count_the_address_the_trusted_proxies_give(
    tmp_path: Path, proxies: int, addresses: list[str], statuses: list[int]
) -> None:
    app = build_app(
        make_settings(tmp_path, trusted_proxies=proxies, sign_in_rate_limit="2 per minute")
    )
    assert sign_in_statuses(app, addresses) == statuses
