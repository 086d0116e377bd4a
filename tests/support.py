"""Helpers the tests share: settings in a temporary folder, apps, a live server."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from storybot import create_app
from storybot.cli import prepare_database
from storybot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def make_settings(tmp_path: Path, database_url: str | None = None, **extra: object) -> Settings:
    """Test settings: everything inside ``tmp_path``."""
    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=database_url or f"sqlite:///{tmp_path / 'db.sqlite3'}",
        log_file=tmp_path / "logs" / "storybot.log",
        # Tests poll as fast as they like; tests of the limits set their own.
        **{"rate_limit": "100000 per minute", "story_rate_limit": "10000 per hour", **extra},  # type: ignore[arg-type]
    )


def build_app(settings: Settings) -> Flask:
    """An app whose database is migrated and bootstrapped, as ``storybot serve`` does."""
    app = create_app(settings)
    prepare_database(app)
    return app


TEST_PASSWORD = "a long test password"


@dataclass(frozen=True)
class Account:
    """An account made for a test, with an API token that signs its requests in."""

    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The header that signs a request in as this account."""
        return {"Authorization": f"Bearer {self.token}"}


def add_account(app: Flask, email: str = "admin@example.com", role: str = "admin") -> Account:
    """Create an account (the first one becomes the first admin) and a token for it."""
    from storybot.database import write_intent
    from storybot.models import Role
    from storybot.services import account_service, token_service

    # BEGIN IMMEDIATE, as the app's writers: a deferred read-then-write fails at once on
    # SQLite ("database is locked") when the runner's heartbeat commits in between.
    with app.app_context(), write_intent():
        if account_service.setup_needed():
            user = account_service.create_first_admin(email, TEST_PASSWORD)
        else:
            user = account_service.create_user(email, TEST_PASSWORD, Role(role))
        made = token_service.create_token(user.id, "tests")
        return Account(user.id, user.email, made.token)


def first_admin(app: Flask) -> Account:
    """The app's first admin, created on first use (one per app)."""
    found: Account | None = app.extensions.get("tests.first_admin")
    if found is None:
        found = app.extensions["tests.first_admin"] = add_account(app)
    return found


def admin_client(app: Flask) -> FlaskClient:
    """A test client of ``app`` signed in as its first admin."""
    return signed_in(app.test_client(), first_admin(app))


def signed_in(client: FlaskClient, account: Account) -> FlaskClient:
    """The test client, sending ``account``'s token with every request."""
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {account.token}"
    return client


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spawn_storybot(command: str, env: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
    """``storybot COMMAND`` in a child process of its own process group (a test can kill
    it whole), its output in ``output``."""
    with output.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "storybot", command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )


def stop_child(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a child process (SIGTERM, then SIGKILL after 30 s) and wait for it."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class LiveServer:
    """``storybot serve`` running in a child process on loopback."""

    def __init__(self, tmp_path: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp_path / "live"
        self.log_file = self.data_dir / "logs" / "storybot.log"
        self.output = tmp_path / "serve-output.txt"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")},
            "STORYBOT_DATA_DIR": str(self.data_dir),
            "STORYBOT_PORT": str(self.port),
            "STORYBOT_THREADS": "32",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.headers: dict[str, str] = {}
        self.session = requests.Session()

    def start(self) -> LiveServer:
        """Start the server and wait until it answers ``/api/health``."""
        self.process = spawn_storybot("serve", self.env, self.output)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"storybot serve exited:\n{self.output.read_text()}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=1).ok:
                    self._sign_in()
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"storybot serve did not answer:\n{self.output.read_text()}")

    def _sign_in(self) -> None:
        """Create the first admin through the setup page's API, and a token for the tests."""
        browser = requests.Session()
        answer = browser.post(
            f"{self.url}/api/auth/setup",
            json={"email": "admin@example.com", "password": TEST_PASSWORD},
            timeout=30,
        )
        if answer.status_code == 409:  # a restarted server: sign in instead
            answer = browser.post(
                f"{self.url}/api/auth/login",
                json={"email": "admin@example.com", "password": TEST_PASSWORD},
                timeout=30,
            )
        answer.raise_for_status()
        made = browser.post(
            f"{self.url}/api/tokens",
            json={"name": "tests"},
            headers={"X-CSRF-Token": answer.json()["csrf_token"]},
            timeout=30,
        )
        made.raise_for_status()
        self.token = made.json()["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}
        self.session = requests.Session()
        self.session.headers.update(self.headers)

    def use_engines(self, engines: dict[str, dict[str, object]], default: str) -> None:
        """Set the server's engines (the admin's Settings), ``default`` the one stories use."""
        answer = self.session.patch(
            f"{self.url}/api/settings",
            json={"engines": engines, "default_engine": default},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text

    def use_openai_server(self, base_url: str, read_timeout: float = 5.0) -> None:
        """Write stories on the OpenAI-compatible server at ``base_url`` (the scripted fake
        one, usually), as the default engine named ``remote``."""
        remote = {
            "type": "openai",
            "base_url": base_url,
            "model": "fake-model",
            "languages": ["en"],
            "read_timeout": read_timeout,
        }
        self.use_engines({"local": {"type": "local"}, "remote": remote}, "remote")

    def ended_story(self, story_id: int, timeout: float = 60) -> dict:
        """The story once it has ended (asked again when the server is briefly unreachable,
        as while a worker of it is replaced)."""
        deadline = time.monotonic() + timeout
        story: dict = {}
        while time.monotonic() < deadline:
            try:
                story = self.session.get(f"{self.url}/api/stories/{story_id}", timeout=10).json()
            except requests.ConnectionError:
                time.sleep(0.1)
                continue
            if story["status"] not in ("queued", "running"):
                return story
            time.sleep(0.05)
        raise AssertionError(f"story {story_id} did not end: {story}")

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        stop_child(self.process)


class WorkerProcess:
    """``storybot worker`` running in a child process, with the environment given."""

    def __init__(self, tmp_path: Path, name: str, env: dict[str, str]) -> None:
        self.output = tmp_path / f"{name}-output.txt"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")},
            "STORYBOT_DATA_DIR": str(tmp_path / name),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        """Start the worker and wait until it waits for stories."""
        self.process = spawn_storybot("worker", self.env, self.output)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"storybot worker exited:\n{self.output.read_text()}")
            if "is waiting for stories" in self.output.read_text():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"storybot worker did not start:\n{self.output.read_text()}")

    @property
    def pid(self) -> int:
        """The worker's process id."""
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        """Stop the worker (SIGTERM: it hands its story on) and wait for it to exit."""
        stop_child(self.process)


FINAL_EVENTS = ("done", "failed", "cancelled", "interrupted", "incomplete", "deleted")


@dataclass
class FollowedStory:
    """What a viewer saw of a story: its events in order, and how often it reconnected."""

    events: list[tuple[str, int | None, dict]]
    reconnects: int

    @property
    def text(self) -> str:
        """The text the viewer was shown, piece after piece."""
        return "".join(data["text"] for name, _, data in self.events if name == "text")

    @property
    def text_ids(self) -> list[int]:
        """The ids of the text events, as they came."""
        return [ident for name, ident, _ in self.events if name == "text" and ident is not None]


def follow_story(
    url: str,
    headers: dict[str, str],
    *,
    give_up_after: float = 120.0,
    first_event: threading.Event | None = None,
) -> FollowedStory:
    """Follow a story's event stream as a browser's EventSource does: when the
    connection drops (a server process killed), connect again with
    ``Last-Event-ID`` until the final event arrives. ``first_event`` is set
    once the first event has arrived."""
    events: list[tuple[str, int | None, dict]] = []
    last_id: int | None = None
    reconnects = 0
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        asked = {**headers, **({"Last-Event-ID": str(last_id)} if last_id is not None else {})}
        try:
            with requests.get(url, stream=True, timeout=30, headers=asked) as response:
                if response.status_code != 200:
                    raise requests.ConnectionError(f"answered {response.status_code}")
                name, ident = "message", None
                for line in response.iter_lines(decode_unicode=True):
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("id: "):
                        ident = int(line.removeprefix("id: "))
                    elif line.startswith("data: "):
                        data = json.loads(line.removeprefix("data: "))
                        events.append((name, ident, data))
                        if first_event is not None:
                            first_event.set()
                        last_id = ident if ident is not None else last_id
                        if name in FINAL_EVENTS:
                            return FollowedStory(events, reconnects)
                    elif not line:
                        name, ident = "message", None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            pass
        reconnects += 1
        time.sleep(0.2)
    raise AssertionError(f"no final event after {give_up_after}s: {events[-5:]}")


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: the fields after it are fixed.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            children.append(int(entry.name))
    return children


EPUBCHECK_INSTALL = "apt-get install -y epubcheck"


def epubcheck_command() -> list[str]:
    """How to run epubcheck here, or a failed test that says how to install it.

    Debian's /usr/bin/epubcheck is the jar itself, which runs only where binfmt_misc is set
    up (containers and CI machines often lack it), so a jar is run with ``java -jar``.
    """
    found = shutil.which("epubcheck")
    if found is None:
        pytest.fail(f"epubcheck is not installed; install it with `{EPUBCHECK_INSTALL}`.")
    real = os.path.realpath(found)
    if not real.endswith(".jar"):
        return [found]
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"epubcheck needs Java, which is missing; run `{EPUBCHECK_INSTALL}`.")
    return [java, "-jar", real]


def assert_epubcheck_clean(path: Path) -> None:
    """epubcheck finds no error in the EPUB at ``path`` (its output is the message if it does)."""
    result = subprocess.run(
        [*epubcheck_command(), "--locale", "en", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"\b(ERROR|FATAL)\b", output), output
