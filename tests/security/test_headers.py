"""Security headers on every answer: API, web app, files, errors, /metrics, event streams."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from storybot.engines.fake import FakeEngine
from storybot.security.headers import script_hashes
from storybot.services.components import components
from tests.support import ROOT, add_account, admin_client, first_admin, signed_in

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def directives(response: TestResponse) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, directive by directive."""
    policy = response.headers["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def assert_secure_headers(response: TestResponse) -> None:
    """Every header is there, and the policy allows no inline script and no eval."""
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert not any("unsafe-eval" in s for sources in csp.values() for s in sources)
    assert "Strict-Transport-Security" not in response.headers  # plain http


def fetch(client: FlaskClient, path: str, method: str = "GET", **kw: object) -> TestResponse:
    """The whole answer, read and closed (files are streamed and must be closed)."""
    response = client.open(path, method=method, **kw)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def web_client(sqlite_app: Flask, build: Path) -> FlaskClient:
    """A client of an app serving a fake build, with one route that fails unexpectedly."""

    def boom() -> str:
        raise RuntimeError("a bug")

    sqlite_app.add_url_rule("/api/boom", "boom", boom)
    sqlite_app.config["STORYBOT_STATIC_DIR"] = str(build)
    return admin_client(sqlite_app)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/health", 200),
        ("GET", "/api/prompts", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/", 200),
        ("GET", "/prompts/5", 200),
        ("GET", "/assets/index-AbC123.js", 200),
        ("GET", "/favicon.svg", 200),
        ("GET", "/metrics", 200),
        ("GET", "/api/nothing-here", 404),
        ("GET", "/robots.txt", 404),
        ("DELETE", "/api/health", 405),
        ("POST", "/api/prompts", 422),
        ("GET", "/api/boom", 500),
        ("POST", "/api/auth/setup", 409),  # with a JSON body below
    ],
)
def test_every_answer_carries_the_headers(
    web_client: FlaskClient, method: str, path: str, status: int
) -> None:
    body = {"email": "x@example.com", "password": "long enough"} if method == "POST" else None
    response = fetch(web_client, path, method, json=body)
    assert response.status_code == status
    assert_secure_headers(response)


def test_refused_bodies_carry_the_headers(web_client: FlaskClient) -> None:
    invalid = fetch(web_client, "/api/prompts", "POST", json={"content": ""})
    assert invalid.status_code == 422
    assert_secure_headers(invalid)
    malformed = fetch(web_client, "/api/prompts", "POST", data="{", content_type="application/json")
    assert malformed.status_code == 400
    assert_secure_headers(malformed)
    text = fetch(web_client, "/api/prompts", "POST", data="hello", content_type="text/plain")
    assert text.status_code == 415
    assert_secure_headers(text)
    too_large = fetch(
        web_client, "/api/prompts", "POST", data="x" * 2_000_000, content_type="application/json"
    )
    assert too_large.status_code == 413
    assert_secure_headers(too_large)


def test_refusals_of_sign_in_carry_the_headers(sqlite_app: Flask) -> None:
    anonymous = sqlite_app.test_client()
    unauthorized = fetch(anonymous, "/api/prompts")
    assert unauthorized.status_code == 401
    assert_secure_headers(unauthorized)
    login = fetch(
        anonymous, "/api/auth/login", "POST", json={"email": "a@b.example", "password": "wrong one"}
    )
    assert login.status_code == 401
    assert_secure_headers(login)
    first_admin(sqlite_app)
    member = add_account(sqlite_app, "member@example.com", "member")
    forbidden = fetch(signed_in(sqlite_app.test_client(), member), "/api/users")
    assert forbidden.status_code == 403
    assert_secure_headers(forbidden)


def test_an_event_stream_carries_the_headers(sqlite_app: Flask) -> None:
    engine = FakeEngine("fake")
    components(sqlite_app).engines.register_factory("fake", lambda *_: engine)
    client = admin_client(sqlite_app)
    engines = {"local": {"type": "local"}, "fake": {"type": "fake"}}
    settings = client.patch("/api/settings", json={"engines": engines, "default_engine": "fake"})
    assert settings.status_code == 200, settings.json
    engine.enqueue(["Title: Owl\n\n", "An owl."])
    story = client.post("/api/stories", json={"prompt": "An owl"}).json
    try:
        stream = client.get(f"/api/stories/{story['id']}/events", buffered=False)
        assert stream.mimetype == "text/event-stream"
        assert_secure_headers(stream)
        stream.close()
    finally:
        components(sqlite_app).runner.stop()


def test_hsts_only_over_tls(web_client: FlaskClient) -> None:
    plain = fetch(web_client, "/api/health")
    assert "Strict-Transport-Security" not in plain.headers
    secure = fetch(web_client, "/api/health", base_url="https://storybot.example")
    hsts = secure.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 365 * 24 * 3600


def test_api_answers_are_not_cached_but_hashed_files_are(web_client: FlaskClient) -> None:
    assert fetch(web_client, "/api/prompts").headers["Cache-Control"] == "no-store"
    made = fetch(web_client, "/api/tokens", "POST", json={"name": "script"})  # shown once
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    assert fetch(web_client, "/api/me").headers["Cache-Control"] == "no-store"  # its CSRF token
    asset = fetch(web_client, "/assets/index-AbC123.js")
    assert "immutable" in asset.headers["Cache-Control"]
    assert fetch(web_client, "/").headers["Cache-Control"] == "no-cache"


def test_the_docs_page_may_run_its_own_inline_script_only(web_client: FlaskClient) -> None:
    page = fetch(web_client, "/api/docs/swagger", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data()
    inline = re.findall(rb"<script>(.*?)</script>", html, re.S)
    assert inline, "the docs page has its inline script"
    expected = [
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in inline
    ]
    csp = directives(page)
    assert csp["script-src"] == ["'self'", *expected]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_script_hashes_skip_scripts_with_a_source() -> None:
    html = b'<script src="/a.js"></script><script type="module">go()</script>'
    digest = base64.b64encode(hashlib.sha256(b"go()").digest()).decode()
    assert script_hashes(html) == [f"'sha256-{digest}'"]


def test_the_web_app_page_has_no_inline_script() -> None:
    """index.html's scripts are files: the policy's script-src 'self' runs them, nothing else."""
    html = (ROOT / "web" / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert tags
    assert all(not body.strip() for body in tags), "an inline script would be blocked by the CSP"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler is an inline script"
