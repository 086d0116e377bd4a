"""The production gunicorn configuration (deploy/gunicorn/gunicorn.conf.py), on a live server.

``storybot serve`` reads the file ``STORYBOT_GUNICORN_CONFIG`` names. Here a
small file runs the shipped one and shrinks its timeouts (timeout 2 s,
keepalive 1 s, graceful_timeout 2 s), so that a story's event stream, paced by
the scripted fake OpenAI server, outlives every one of them within seconds.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from gunicorn.config import Config

from storybot.config import ConfigError, Settings
from storybot.server import check_gunicorn_config, configure_gunicorn
from tests.deploy.conftest import DEPLOY
from tests.engines.fake_openai_server import FakeOpenAIServer, Reply
from tests.stories.support import Event, parse
from tests.support import LiveServer

SHIPPED = DEPLOY / "gunicorn" / "gunicorn.conf.py"
# The first lines of a file that changes a few of the shipped values.
RUN_SHIPPED = f"from pathlib import Path\nexec(Path({str(SHIPPED)!r}).read_text())\n"
TIMEOUT, KEEPALIVE, GRACEFUL = 2, 1, 2
PIECES = [f"word{index} " for index in range(16)]
PIECE_DELAY = 0.4  # 16 pieces: about 6.4 s of writing, over three times the timeouts


def small_config(tmp_path: Path) -> Path:
    """A configuration file that runs the shipped one, then shrinks its timeouts."""
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(
        RUN_SHIPPED
        + f"timeout = {TIMEOUT}\nkeepalive = {KEEPALIVE}\ngraceful_timeout = {GRACEFUL}\n"
    )
    return path


@pytest.fixture(scope="module")
def writer() -> Iterator[FakeOpenAIServer]:
    """The scripted OpenAI-compatible server that writes these tests' stories."""
    fake = FakeOpenAIServer().start()
    try:
        yield fake
    finally:
        fake.stop()


def start_server(folder: Path, writer: FakeOpenAIServer) -> LiveServer:
    """``storybot serve`` with the small configuration, its stories written by ``writer``."""
    live = LiveServer(folder, env={"STORYBOT_GUNICORN_CONFIG": str(small_config(folder))})
    live.start()
    live.use_openai_server(writer.base_url)
    return live


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, writer: FakeOpenAIServer
) -> Iterator[LiveServer]:
    """One server for the tests that leave it running (a start takes seconds)."""
    live = start_server(tmp_path_factory.mktemp("gunicorn"), writer)
    try:
        yield live
    finally:
        live.stop()


def paced_story(live: LiveServer, writer: FakeOpenAIServer) -> int:
    """A new story whose body the fake server writes a piece every PIECE_DELAY seconds."""
    writer.enqueue(
        Reply(pieces=PIECES, piece_delay=PIECE_DELAY),
        Reply(pieces=["The end."]),  # the closing
        Reply(pieces=["Title: Words"]),  # the title
    )
    made = live.session.post(f"{live.url}/api/stories", json={"prompt": "Words."}, timeout=30)
    assert made.status_code == 202, made.text
    return int(made.json()["id"])


def timed_events(response: requests.Response) -> Iterator[tuple[float, Event]]:
    """The events of an SSE body as they arrive, each with its arrival time."""
    buffer = ""
    for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
        buffer += chunk
        *blocks, buffer = buffer.split("\n\n")
        for block in blocks:
            for event in parse(block + "\n\n"):
                yield time.monotonic(), event


def server_log(live: LiveServer) -> str:
    """What ``storybot serve`` wrote: its output, and its log file (gunicorn's lines too)."""
    log = live.log_file.read_text(errors="replace") if live.log_file.exists() else ""
    return live.output.read_text(errors="replace") + log


def test_an_event_stream_outlives_the_timeout_and_the_keepalive(
    server: LiveServer, writer: FakeOpenAIServer
) -> None:
    boots = server_log(server).count("Booting worker")
    story_id = paced_story(server, writer)
    opened = time.monotonic()
    arrivals: list[float] = []
    texts: list[Event] = []
    final: Event | None = None
    with server.session.get(
        f"{server.url}/api/stories/{story_id}/events", stream=True, timeout=(5, 10)
    ) as stream:
        assert stream.status_code == 200, stream.text
        for arrived, event in timed_events(stream):
            arrivals.append(arrived)
            if event.event == "text":
                texts.append(event)
            elif event.event in ("done", "failed", "interrupted", "cancelled"):
                final = event
                break
    lasted = arrivals[-1] - opened
    assert final is not None
    assert final.event == "done", final.data
    assert lasted > 3 * max(TIMEOUT, KEEPALIVE), lasted
    # Delivering all along: no silence near the timeout between two events.
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert max(gaps) < TIMEOUT, gaps
    assert [event.id for event in texts] == list(range(1, len(texts) + 1))
    log = server_log(server)
    assert "WORKER TIMEOUT" not in log
    assert log.count("Booting worker") == boots, log  # the same worker served it all


def test_the_files_keepalive_closes_an_idle_connection(server: LiveServer) -> None:
    """The file is in force: an idle kept-alive connection is closed after its keepalive."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            body += conn.recv(65536)
        sent = time.monotonic()
        rest = conn.recv(65536)  # blocks until gunicorn closes the idle connection
        closed_after = time.monotonic() - sent
    assert rest == b""
    # The keepalive of the file (1 s; the embedded one is 5 s), checked about once a second.
    assert KEEPALIVE - 0.5 < closed_after < KEEPALIVE + 2.5, closed_after


def _read_until(events: Iterator[tuple[float, Event]], texts: int) -> list[Event]:
    seen: list[Event] = []
    for _, event in events:
        seen.append(event)
        if sum(1 for e in seen if e.event == "text") >= texts:
            return seen
    return seen


def test_a_reload_lets_open_streams_finish_their_grace_then_readers_go_on(
    server: LiveServer, writer: FakeOpenAIServer
) -> None:
    """SIGHUP: a new worker answers at once; the old one's stream delivers on for up to the
    graceful timeout, then ends; a reader that reconnects with Last-Event-ID gets the rest,
    every piece once, in order."""
    assert server.process is not None
    boots = server_log(server).count("Booting worker")
    story_id = paced_story(server, writer)
    url = f"{server.url}/api/stories/{story_id}/events"
    received: list[Event] = []
    arrivals: list[float] = []
    ended: list[float] = []
    with server.session.get(url, stream=True, timeout=(5, 10)) as stream:
        events = timed_events(stream)
        received += _read_until(events, 2)

        def read_on() -> None:  # as a browser does, while the test looks at the server
            try:
                for arrived, event in events:
                    received.append(event)
                    arrivals.append(arrived)
            except requests.exceptions.ChunkedEncodingError:
                pass  # closed, unfinished, at the end of the grace
            ended.append(time.monotonic())

        reader = threading.Thread(target=read_on, daemon=True)
        reader.start()
        os.kill(server.process.pid, signal.SIGHUP)
        hup = time.monotonic()
        # The new worker serves new requests while the old one's stream goes on.
        deadline = hup + 10
        while server_log(server).count("Booting worker") <= boots:
            assert time.monotonic() < deadline, server_log(server)
            time.sleep(0.05)
        assert server.session.get(f"{server.url}/api/health", timeout=5).ok
        reader.join(timeout=GRACEFUL + TIMEOUT + 10)
        assert ended, "the old worker's stream is still open"
    # The story's writing outlasts the grace: the old worker's stream delivered text
    # during the grace, then was closed at its end.
    assert received[-1].event != "done"
    assert arrivals
    assert arrivals[-1] - hup > GRACEFUL / 2, arrivals[-1] - hup
    assert GRACEFUL - 0.5 < ended[0] - hup < GRACEFUL + 3, ended[0] - hup
    # The browser reconnects with the last id it saw; the new worker goes on from there.
    last = max(e.id for e in received if e.event == "text" and e.id is not None)
    with server.session.get(
        url, headers={"Last-Event-ID": str(last)}, stream=True, timeout=(5, 15)
    ) as again:
        assert again.status_code == 200
        for _, event in timed_events(again):
            received.append(event)
            if event.event in ("done", "failed", "interrupted", "cancelled"):
                break
    assert received[-1].event == "done", [e.event for e in received]
    ids = [e.id for e in received if e.event == "text"]
    assert ids == list(range(1, len(ids) + 1))  # every piece once, in order
    assert len(ids) >= len(PIECES) // 2


def test_sigterm_ends_open_streams_within_the_graceful_timeout(
    tmp_path: Path, writer: FakeOpenAIServer
) -> None:
    """``systemctl stop``: gunicorn stops listening, open streams get the graceful timeout,
    and the server exits well within storybot-web.service's TimeoutStopSec."""
    server = start_server(tmp_path, writer)
    try:
        _stop_while_streaming(server, writer)
    finally:
        server.stop()


def _stop_while_streaming(server: LiveServer, writer: FakeOpenAIServer) -> None:
    assert server.process is not None
    story_id = paced_story(server, writer)
    with server.session.get(
        f"{server.url}/api/stories/{story_id}/events", stream=True, timeout=(5, 10)
    ) as stream:
        events = timed_events(stream)
        _read_until(events, 2)
        server.process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        deadline = stopped + 5  # it stops listening at once
        while True:
            try:
                requests.get(f"{server.url}/api/health", timeout=5)
            except requests.ConnectionError:
                break
            assert time.monotonic() < deadline, "still answering after SIGTERM"
            time.sleep(0.1)
        after: list[Event] = []
        try:
            for _, event in events:
                after.append(event)
        except requests.exceptions.ChunkedEncodingError:
            pass  # the stream was cut at the end of the grace
        stream_ended = time.monotonic() - stopped
    code = server.process.wait(timeout=GRACEFUL + 15)
    exited = time.monotonic() - stopped
    assert any(e.event == "text" for e in after)  # it delivered during the grace
    assert GRACEFUL - 0.5 < stream_ended < GRACEFUL + 3, stream_ended
    assert exited < GRACEFUL + 5, exited
    assert code == 0, server_log(server)


def test_a_reload_with_a_broken_file_keeps_the_running_configuration(
    server: LiveServer,
) -> None:
    assert server.process is not None
    path = Path(server.env["STORYBOT_GUNICORN_CONFIG"])
    good = path.read_text()
    boots = server_log(server).count("Booting worker")
    try:
        path.write_text(good + "workers = 4\n")
        os.kill(server.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "kept the running configuration" not in server_log(server):
            assert time.monotonic() < deadline, server_log(server)
            time.sleep(0.05)
    finally:
        path.write_text(good)
    assert "sets workers, which Storybot sets itself" in server_log(server)
    assert server.process.poll() is None
    assert server.session.get(f"{server.url}/api/health", timeout=5).ok
    # gunicorn replaces the worker at a reload in any case: with the running configuration.
    deadline = time.monotonic() + 10
    while server_log(server).count("Booting worker") <= boots:
        assert time.monotonic() < deadline, server_log(server)
        time.sleep(0.05)
    assert server.session.get(f"{server.url}/api/health", timeout=5).ok


def test_a_wrong_configuration_stops_serve_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(RUN_SHIPPED + "bind = '0.0.0.0:80'\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")},
        "STORYBOT_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "storybot", "serve", "--gunicorn-config", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "sets bind, which Storybot sets itself" in done.stderr, done.stderr
    assert "STORYBOT_HOST and STORYBOT_PORT" in done.stderr
    assert not (tmp_path / "data" / "db.sqlite3").exists()  # refused before any work


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("workers = 4", "sets workers, which Storybot sets itself"),
        ("threads = 8", "set STORYBOT_THREADS"),
        ("timeout = 10\ngraceful_timeout = 30", "shorter than its graceful_timeout"),
        ("timeout = (", "cannot be read"),
    ],
)
def test_a_wrong_configuration_is_refused(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(f"{RUN_SHIPPED}{line}\n")
    with pytest.raises(ConfigError, match=re.escape(message)):
        check_gunicorn_config(Settings(data_dir=tmp_path, gunicorn_config=path))


def test_the_shipped_configuration_is_accepted_and_applied(tmp_path: Path) -> None:
    cfg = Config()
    configure_gunicorn(cfg, Settings(data_dir=tmp_path, gunicorn_config=SHIPPED, threads=600))
    assert (cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (60, 30, 75)
    assert cfg.max_requests == 0
    # What Storybot derives stays its own.
    assert (cfg.workers, cfg.threads, cfg.worker_class_str) == (1, 600, "gthread")
    assert cfg.worker_connections == 1200
