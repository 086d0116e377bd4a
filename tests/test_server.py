"""The real server: ``storybot serve`` (gunicorn, threads) over HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
import requests

from tests.support import LiveServer


def test_serve_prints_its_url_and_answers(live_server: LiveServer) -> None:
    output = live_server.output.read_text()
    assert f"Storybot is running at {live_server.url}/" in output
    assert f"Open {live_server.url}/ to create the first account." in output
    assert (
        live_server.session.get(f"{live_server.url}/api/ready", timeout=5).json()["status"] == "ok"
    )


def test_twenty_threads_create_prompts_at_once_on_sqlite(live_server: LiveServer) -> None:
    before = live_server.session.get(f"{live_server.url}/api/prompts", timeout=5).json()["total"]
    start = Barrier(20)

    def create(i: int) -> requests.Response:
        with requests.Session() as session:
            session.headers.update(live_server.headers)
            start.wait()
            return session.post(
                f"{live_server.url}/api/prompts",
                json={"content": f"Concurrent prompt {i} 🦊", "tags": [f"t{i}"]},
                timeout=60,
            )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(create, range(20)))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    page = live_server.session.get(f"{live_server.url}/api/prompts?limit=100", timeout=5).json()
    assert page["total"] == before + 20
    contents = {p["content"] for p in page["items"]}
    assert {f"Concurrent prompt {i} 🦊" for i in range(20)} <= contents
    log = live_server.log_file.read_text(encoding="utf-8")
    assert "database is locked" not in log


def test_every_log_line_of_a_request_carries_its_trace_id(live_server: LiveServer) -> None:
    response = requests.post(
        f"{live_server.url}/api/prompts",
        json={"content": "traced"},
        headers={"X-Trace-Id": "live-trace-0001"},
        timeout=5,
    )
    assert response.headers["X-Trace-Id"] == "live-trace-0001"
    lines = [json.loads(line) for line in live_server.log_file.read_text().splitlines()]
    mine = [line for line in lines if line.get("trace", {}).get("id") == "live-trace-0001"]
    assert any(line["log"]["logger"] == "storybot.access" for line in mine)
    startup = [line for line in lines if "gunicorn" in line["log"]["logger"]]
    assert startup, "gunicorn's own lines go to the same JSON file"


def test_refuses_to_listen_beyond_loopback_without_a_secret_key(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, env={"STORYBOT_HOST": "0.0.0.0"})
    try:
        with pytest.raises(RuntimeError, match="STORYBOT_SECRET_KEY"):
            server.start()
    finally:
        server.stop()
