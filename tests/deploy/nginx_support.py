"""Helpers of the nginx gateway's tests: a throwaway certificate, the rendering command, a
real nginx in a folder of its own, and HTTPS requests to a name that resolves nowhere."""

from __future__ import annotations

import http.client
import os
import pwd
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from tests.deploy.conftest import program
from tests.support import ROOT, free_port

SITE = "storybot.test"
API = "api.storybot.test"


def make_certificate(directory: Path, *names: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``names`` (and its key), made by openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subject_names = ",".join(f"DNS:{name}" for name in names)
    subprocess.run(
        [
            program("openssl"), "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={names[0]}",
            "-addext", f"subjectAltName={subject_names}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def render(*args: str) -> str:
    """What ``storybot deploy nginx ARGS`` prints (the command a person runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "storybot", "deploy", "nginx", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def own_user() -> str:
    """The name of the user running the tests (nginx's workers stay that user)."""
    return pwd.getpwuid(os.getuid()).pw_name


def check_config(config: Path, run_dir: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of a configuration file, its error log in ``run_dir``."""
    return subprocess.run(
        [program("nginx"), "-t", "-c", str(config), "-p", str(run_dir), "-e",
         str(run_dir / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


@dataclass
class Gateway:
    """A real nginx, run in the foreground from a rendered configuration."""

    config: Path
    run_dir: Path
    http_port: int
    https_port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Gateway:
        """Check the configuration (``nginx -t``), start nginx and wait for its HTTPS port."""
        checked = check_config(self.config, self.run_dir)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(
            [program("nginx"), "-c", str(self.config), "-p", str(self.run_dir), "-e",
             str(self.run_dir / "error.log"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.run_dir / "error.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen:\n{(self.run_dir / 'error.log').read_text()}")

    def stop(self) -> None:
        """Stop nginx (SIGTERM: its fast shutdown) and wait for it."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gateway_ports() -> tuple[int, int]:
    """Two free ports: plain HTTP, then HTTPS."""
    http_port = free_port()
    while (https_port := free_port()) == http_port:
        pass
    return http_port, https_port


class _NamedHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 for a host name (sent as SNI and Host), as if DNS said so."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass
class Answer:
    """One HTTP answer: status, every header (repeats kept) and body."""

    status: int
    headers: Message
    body: bytes

    def all(self, name: str) -> list[str]:
        """Every value of a header, in order (an empty list when it is absent)."""
        return self.headers.get_all(name) or []


def tls_context(cafile: Path, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client context trusting the test certificate, pinned to one TLS version if given."""
    context = ssl.create_default_context(cafile=str(cafile))
    if version is not None:
        context.minimum_version = context.maximum_version = version
    return context


def https(
    port: int,
    host: str,
    path: str,
    *,
    cafile: Path,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source: str = "127.0.0.1",
) -> Answer:
    """One HTTPS request to ``host`` (resolved to 127.0.0.1), from the address ``source``."""
    connection = _NamedHTTPS(
        host, port, context=tls_context(cafile), timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.msg, response.read())
    finally:
        connection.close()


def open_stream(
    port: int, host: str, path: str, *, cafile: Path, headers: dict[str, str]
) -> tuple[http.client.HTTPSConnection, http.client.HTTPResponse]:
    """A GET whose answer is read as it arrives (close the connection when done)."""
    connection = _NamedHTTPS(host, port, context=tls_context(cafile), timeout=30)
    connection.request("GET", path, headers=headers)
    return connection, connection.getresponse()


def plain_http(port: int, host: str, path: str) -> Answer:
    """One plain-HTTP GET to 127.0.0.1 with the ``Host`` given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return Answer(response.status, response.msg, response.read())
    finally:
        connection.close()
