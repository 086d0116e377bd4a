"""The nginx gateway, live: real nginx rendered by ``storybot deploy nginx`` onto high ports of
127.0.0.1, in front of a real ``storybot serve``, checked over real HTTP and TLS.

One Storybot serves two gateways: the two-hosts form (most checks) and the one-host form
(the API's checks again, on ``/api`` of the site's host).
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.deploy.conftest import program
from tests.deploy.nginx_support import (
    API,
    SITE,
    Answer,
    Gateway,
    gateway_ports,
    https,
    make_certificate,
    open_stream,
    own_user,
    plain_http,
    render,
    tls_context,
)
from tests.support import TEST_PASSWORD, LiveServer

EVIL = "https://evil.test"  # the app itself would allow it (STORYBOT_CORS_ORIGINS); nginx not
DEV = "http://localhost:3000"  # the UI's development server, allowed by both
INDEX = b"<!doctype html><title>Storybot</title><script src=/assets/index-4f2a9c.js></script>"
SCRIPT = b"console.log('the story begins');\n" * 40  # over gzip_min_length
IMAGE = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@dataclass
class Shared:
    """What the module's gateways share: Storybot, a folder, the certificate and its key."""

    app: LiveServer
    folder: Path
    cafile: Path
    key: Path


@dataclass
class Stack:
    """nginx in front of Storybot, and what a test needs to reach them."""

    app: LiveServer
    gateway: Gateway
    cafile: Path
    acme_root: Path
    api_host: str  # the API's host name: its own, or the site's in the one-host form

    @property
    def site_origin(self) -> str:
        """The origin the web UI is served from."""
        return f"https://{SITE}:{self.gateway.https_port}"

    def site(self, path: str, **options: Any) -> Answer:
        """A request to the site host, through nginx."""
        return https(self.gateway.https_port, SITE, path, cafile=self.cafile, **options)

    def api(self, path: str, **options: Any) -> Answer:
        """A request to the API host, through nginx."""
        port = self.gateway.https_port
        return https(port, self.api_host, path, cafile=self.cafile, **options)


def _static_root(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-4f2a9c.js").write_bytes(SCRIPT)
    (root / "assets" / "index-77e0b1.css").write_bytes(b"body { margin: 0 }\n" * 30)
    (root / "logo.png").write_bytes(IMAGE)
    return root


def _gateway(folder: Path, app: LiveServer, cafile: Path, key: Path, *form: str) -> Gateway:
    """nginx rendered by ``storybot deploy nginx`` (as a person runs it), started."""
    http_port, https_port = gateway_ports()
    run_dir = folder / "nginx"
    run_dir.mkdir()
    config = folder / "nginx.conf"
    config.write_text(
        render(
            *form,
            "--site-domain", SITE, "--api-domain", API,
            "--http-port", str(http_port), "--https-port", str(https_port),
            "--cert", str(cafile), "--key", str(key),
            "--upstream", f"127.0.0.1:{app.port}",
            "--static-root", str(folder.parent / "static"),
            "--acme-root", str(folder.parent / "acme"),
            "--run-dir", str(run_dir), "--user", own_user(),
            "--listen-address", "127.0.0.1",
        ),
        encoding="utf-8",
    )  # fmt: skip
    return Gateway(config, run_dir, http_port, https_port).start()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """One Storybot for the module, the folder of its gateways and their certificate."""
    program("nginx")  # fail first, before starting anything, when it is missing
    folder = tmp_path_factory.mktemp("gateway")
    _static_root(folder / "static")
    (folder / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
    cafile, key = make_certificate(folder, SITE, API)
    app = LiveServer(
        folder,
        env={
            "STORYBOT_TRUSTED_PROXIES": "1",
            # The app answers CORS for these itself: nginx must replace what it sends.
            "STORYBOT_CORS_ORIGINS": f"{DEV},{EVIL}",
            "STORYBOT_SIGN_IN_RATE_LIMIT": "1000 per minute",
        },
    ).start()
    try:
        yield Shared(app, folder, cafile, key)
    finally:
        app.stop()


def _stack(shared: Shared, name: str, *form: str) -> Iterator[Stack]:
    (shared.folder / name).mkdir()
    gateway = _gateway(shared.folder / name, shared.app, shared.cafile, shared.key, *form)
    try:
        api_host = SITE if form else API
        yield Stack(shared.app, gateway, shared.cafile, shared.folder / "acme", api_host)
    finally:
        gateway.stop()


@pytest.fixture(scope="module")
def stack(shared: Shared) -> Iterator[Stack]:
    """The two-hosts form in front of the module's Storybot."""
    yield from _stack(shared, "two-hosts")


@pytest.fixture(scope="module")
def one_host(shared: Shared) -> Iterator[Stack]:
    """The one-host form in front of the same Storybot."""
    yield from _stack(shared, "one-host", "--one-host")


@pytest.fixture(params=["two-hosts", "one-host"])
def either(request: pytest.FixtureRequest) -> Stack:
    """Each form in turn, for the checks of the API."""
    found: Stack = request.getfixturevalue("stack" if request.param == "two-hosts" else "one_host")
    return found


def test_plain_http_is_moved_to_https_except_acme(stack: Stack) -> None:
    port, https_port = stack.gateway.http_port, stack.gateway.https_port
    for host in (SITE, API):
        answer = plain_http(port, host, "/stories/3?tab=text")
        assert answer.status == 301
        assert answer.headers["Location"] == f"https://{host}:{https_port}/stories/3?tab=text"
    token = stack.acme_root / ".well-known" / "acme-challenge" / "t0ken"
    token.write_text("t0ken.thumbprint", encoding="ascii")
    answer = plain_http(port, SITE, "/.well-known/acme-challenge/t0ken")
    assert (answer.status, answer.body) == (200, b"t0ken.thumbprint")


def test_an_unknown_name_gets_no_answer(stack: Stack) -> None:
    with pytest.raises(ConnectionError):
        plain_http(stack.gateway.http_port, "unknown.test", "/")
    with pytest.raises(ssl.SSLError):
        https(stack.gateway.https_port, "unknown.test", "/", cafile=stack.cafile)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_spoken(stack: Stack, version: ssl.TLSVersion) -> None:
    context = tls_context(stack.cafile, version)
    with (
        socket.create_connection(("127.0.0.1", stack.gateway.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=SITE) as tls,
    ):
        assert tls.version() == version.name.replace("v1_", "v1.")
        if version is ssl.TLSVersion.TLSv1_2:
            assert tls.cipher()[0].startswith("ECDHE-")


def test_tls_1_1_is_refused_by_the_server(stack: Stack) -> None:
    """The client offers TLS 1.1 only, its ciphers allowed (security level 0): the server's
    'protocol version' alert is what ends the handshake, not the client's own refusal."""
    done = subprocess.run(
        [program("openssl"), "s_client", "-connect", f"127.0.0.1:{stack.gateway.https_port}",
         "-servername", SITE, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "alert protocol version" in output  # sent by nginx
    assert "no protocols available" not in output  # the client did offer TLS 1.1


def test_the_ui_is_served_with_its_route_fallback_and_cache_times(stack: Stack) -> None:
    page = stack.site("/stories/42")  # a route of the single-page app, not a file
    assert (page.status, page.body) == (200, INDEX)
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert f"connect-src 'self' https://{API}:" in page.headers["Content-Security-Policy"]

    script = stack.site("/assets/index-4f2a9c.js", headers={"Accept-Encoding": "gzip"})
    assert script.status == 200
    assert script.headers["Cache-Control"] == "max-age=43200"  # 12 hours
    assert script.headers["Content-Encoding"] == "gzip"
    assert len(script.body) < len(SCRIPT)
    style = stack.site("/assets/index-77e0b1.css")
    assert style.headers["Cache-Control"] == "max-age=43200"
    assert style.body.startswith(b"body")

    image = stack.site("/logo.png")
    assert (image.status, image.body) == (200, IMAGE)
    assert image.headers["Cache-Control"] == "max-age=2592000"  # 30 days
    assert stack.site("/assets/index-000000.js").status == 404  # never index.html for a file


def test_metrics_are_not_public(either: Stack) -> None:
    assert requests.get(f"{either.app.url}/metrics", timeout=10).status_code == 200  # loopback
    assert either.api("/metrics").status == 404
    assert either.api("/metrics/").status == 404


def test_the_one_host_form_serves_the_ui_and_proxies_api(one_host: Stack) -> None:
    page = one_host.site("/stories/42")
    assert (page.status, page.body) == (200, INDEX)
    assert "connect-src 'self';" in page.headers["Content-Security-Policy"]
    assert one_host.site("/assets/index-4f2a9c.js").headers["Cache-Control"] == "max-age=43200"
    docs = one_host.site("/api/docs/swagger")  # the app's page, with the app's own policy
    assert docs.status == 200
    assert "'sha256-" in docs.headers["Content-Security-Policy"]
    assert docs.all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]


@pytest.mark.parametrize("origin", [DEV, "site"])
def test_cors_for_an_allowed_origin_is_set_once(either: Stack, origin: str) -> None:
    origin = either.site_origin if origin == "site" else origin
    if origin == DEV:
        asked = {**either.app.headers, "Origin": DEV}
        direct = requests.get(f"{either.app.url}/api/me", headers=asked, timeout=10)
        assert direct.headers["Access-Control-Allow-Origin"] == DEV  # the app sends its own

    answer = either.api("/api/me", headers={**either.app.headers, "Origin": origin})
    assert answer.status == 200
    assert answer.all("Access-Control-Allow-Origin") == [origin]
    assert answer.all("Access-Control-Allow-Credentials") == ["true"]
    assert answer.all("Access-Control-Expose-Headers") == [
        "X-Trace-Id, Location, Retry-After, WWW-Authenticate"
    ]
    assert answer.all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]


def test_cors_for_a_refused_origin_is_absent_though_the_app_sent_it(either: Stack) -> None:
    headers = {**either.app.headers, "Origin": EVIL}
    direct = requests.get(f"{either.app.url}/api/me", headers=headers, timeout=10)
    assert direct.headers["Access-Control-Allow-Origin"] == EVIL  # the app would allow it

    answer = either.api("/api/me", headers=headers)
    assert answer.status == 200
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_a_preflight_is_answered_204_by_nginx(either: Stack) -> None:
    asked = {
        "Origin": either.site_origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "content-type,x-csrf-token,x-trace-id",
    }
    for path in ("/api/stories/1", "/api/stories/1/events"):  # both of the API's locations
        answer = either.api(path, method="OPTIONS", headers=asked)
        assert answer.status == 204  # flask-cors would have answered 200
        assert answer.all("Access-Control-Allow-Origin") == [either.site_origin]
        methods = {m.strip() for m in answer.headers["Access-Control-Allow-Methods"].split(",")}
        assert methods == {"GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"}
        allowed = {h.strip() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
        wanted = {"X-Trace-Id", "Authorization", "Content-Type", "X-CSRF-Token", "Last-Event-ID"}
        assert wanted <= allowed
        assert answer.all("Access-Control-Max-Age") == ["3600"]

    refused = either.api("/api/stories/1", method="OPTIONS", headers={**asked, "Origin": EVIL})
    assert refused.status == 204
    assert "Access-Control-Allow-Origin" not in refused.headers


def _client_addresses(log_file: Path, path: str) -> list[str]:
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    return [line["client"]["ip"] for line in lines if line.get("url", {}).get("path") == path]


@pytest.mark.parametrize(("form", "client"), [("stack", "127.0.0.7"), ("one_host", "127.0.0.8")])
def test_the_client_address_reaches_the_app(
    request: pytest.FixtureRequest, form: str, client: str
) -> None:
    """A client on 127.0.0.7 is logged as such, not as nginx (which calls from 127.0.0.1)."""
    gateway: Stack = request.getfixturevalue(form)
    path = f"/api/prompts/{9000 + int(client.rsplit('.', 1)[1])}"  # a line of this test's own
    answer = gateway.api(path, headers=gateway.app.headers, source=client)
    assert answer.status == 404  # no such prompt: the app answered, and logged it
    deadline = time.monotonic() + 10
    while not (seen := _client_addresses(gateway.app.log_file, path)):
        assert time.monotonic() < deadline, "no access line"
        time.sleep(0.1)
    assert seen == [client]


def test_sign_in_through_the_gateway_sets_a_secure_cookie(either: Stack) -> None:
    credentials = json.dumps({"email": "admin@example.com", "password": TEST_PASSWORD}).encode()
    json_body = {"Content-Type": "application/json", "Origin": either.site_origin}
    direct = requests.post(f"{either.app.url}/api/auth/login", data=credentials,
                           headers=json_body, timeout=30)  # fmt: skip
    assert direct.ok
    assert "secure" not in direct.headers["Set-Cookie"].lower()  # plain HTTP: not Secure

    answer = either.api("/api/auth/login", method="POST", body=credentials, headers=json_body)
    assert answer.status == 200, answer.body
    cookie = answer.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("storybot_session=")
    assert {"secure", "httponly"} <= attributes
    me = either.api("/api/me", headers={"Cookie": cookie.split(";")[0]})
    assert me.status == 200
    assert json.loads(me.body)["email"] == "admin@example.com"


def test_story_events_arrive_while_the_story_is_written(either: Stack) -> None:
    app = either.app
    engines = {"local": {"type": "local"}, "paced": {"type": "fake", "tokens_per_second": 10}}
    settings = {"engines": engines, "default_engine": "paced"}
    assert app.session.patch(f"{app.url}/api/settings", json=settings, timeout=10).ok
    made = either.api(
        "/api/stories", method="POST", body=json.dumps({"prompt": "A slow fox"}).encode(),
        headers={**app.headers, "Content-Type": "application/json"},
    )  # fmt: skip
    assert made.status == 202, made.body
    story_id = json.loads(made.body)["id"]

    connection, stream = open_stream(
        either.gateway.https_port, either.api_host, f"/api/stories/{story_id}/events",
        cafile=either.cafile, headers={**app.headers, "Accept": "text/event-stream"},
    )  # fmt: skip
    try:
        assert stream.status == 200
        texts = 0
        while texts < 2:
            line = stream.readline()
            assert line, "the stream ended before any text"
            texts += line.startswith(b"event: text")
        story = app.session.get(f"{app.url}/api/stories/{story_id}", timeout=10).json()
        assert story["status"] == "running", story  # the words came before the end
    finally:
        connection.close()
        app.session.post(f"{app.url}/api/stories/{story_id}/cancel", timeout=10)
