"""A story's log lines carry its trace id; generation metrics are labelled by engine."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from storybot.engines.base import EngineError
from storybot.engines.fake import FakeEngine
from storybot.observability.logs import configure_logging
from tests.stories.support import read_events


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "stories.log"
    configure_logging(path, terminal=False)
    yield path
    configure_logging(None, terminal=False)


def test_log_lines_of_each_step_carry_the_creating_requests_trace_id(
    client: FlaskClient, fake_engine: FakeEngine, log_file: Path
) -> None:
    response = client.post(
        "/api/stories", json={"prompt": "A logged tale"}, headers={"X-Trace-Id": "story-trace-42"}
    )
    read_events(client, response.json["id"])
    time.sleep(0.1)  # the runner logs its last line after the final event
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    runner_lines = [line for line in lines if line["log"]["logger"] == "storybot.jobs.writing"]
    assert len(runner_lines) >= 2  # started, finished
    assert {line["trace"]["id"] for line in runner_lines} == {"story-trace-42"}


def test_generation_metrics_by_engine(client: FlaskClient, fake_engine: FakeEngine) -> None:
    story = client.post("/api/stories", json={"prompt": "Measured"}).json
    read_events(client, story["id"])
    fake_engine.enqueue(["Title: X\n\n", "Half"], fail_with=EngineError("timeout", "Too slow."))
    failed = client.post("/api/stories", json={"prompt": "Fails"}).json
    read_events(client, failed["id"])
    text = client.get("/metrics").get_data(as_text=True)
    assert 'storybot_generation_first_text_seconds_bucket{engine="fake",le="0.05"}' in text
    assert 'storybot_generation_tokens_total{engine="fake"}' in text
    assert 'storybot_generation_tokens_per_second_count{engine="fake"}' in text
    assert 'storybot_generation_failures_total{engine="fake",reason="timeout"}' in text
    assert 'storybot_generations_in_flight{engine="fake"} 0.0' in text
    assert "storybot_generation_queue_depth" in text
