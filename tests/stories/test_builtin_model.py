"""The real built-in model, end to end: HTTP API, the runner, Server-Sent Events."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.support import LiveServer


def stream_events(url: str, headers: dict[str, str] | None = None) -> list[tuple[str, dict]]:
    """Read an SSE stream over HTTP until its final event."""
    events: list[tuple[str, dict]] = []
    with requests.get(url, stream=True, timeout=120, headers=headers or {}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["X-Accel-Buffering"] == "no"
        assert response.headers["Cache-Control"] == "no-cache"
        name = "message"
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                if name in ("done", "failed", "cancelled", "interrupted"):
                    return events
            elif not line:
                name = "message"
    return events


@pytest.mark.slow
def test_the_built_in_model_writes_a_personal_story(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api"
    reader = live_server.session.post(
        f"{api}/profiles",
        json={"name": "Mia", "age": 6, "interests": ["dinosaurs"], "things_to_avoid": ["spiders"]},
        timeout=10,
    ).json()
    response = live_server.session.post(
        f"{api}/stories",
        json={
            "prompt": "A dinosaur who is afraid of the dark",
            "profile_id": reader["id"],
            "length": "short",
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text
    story = response.json()
    assert story["engine"] == "local"
    assert story["model"] == "SmolLM2-135M-Instruct.Q4_1"

    events = stream_events(f"{api}/stories/{story['id']}/events", live_server.headers)
    name, final = events[-1]
    assert name == "done", final
    streamed = "".join(data["text"] for kind, data in events if kind == "text")

    saved = live_server.session.get(f"{api}/stories/{story['id']}", timeout=10).json()
    assert saved["status"] == "done"
    assert saved["text"] == streamed
    assert len(saved["text"].split()) > 5
    assert saved["title"]
    assert saved["completion_tokens"] > 5
    assert saved["prompt_tokens"] > 20
    sent = "\n".join(m["content"] for m in saved["messages"])
    assert "Mia" in sent
    assert "dinosaurs" in sent
    assert "spiders" in sent


@pytest.mark.slow
def test_cancelling_the_built_in_model_mid_story(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api"
    story = live_server.session.post(
        f"{api}/stories", json={"prompt": "A very long journey", "length": "long"}, timeout=10
    ).json()
    deadline = time.monotonic() + 60
    while (
        live_server.session.get(f"{api}/stories/{story['id']}", timeout=10).json()["last_seq"] < 3
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    live_server.session.post(f"{api}/stories/{story['id']}/cancel", timeout=10)
    while (state := live_server.session.get(f"{api}/stories/{story['id']}", timeout=10).json())[
        "status"
    ] == "running":
        assert time.monotonic() - started < 2, "the model did not stop within a second or two"
        time.sleep(0.02)
    assert state["status"] == "cancelled"
    assert state["text"]
