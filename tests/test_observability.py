"""Trace ids, JSON log lines on disk, Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ecs_logging
import pytest
from flask import Flask
from flask.testing import FlaskClient

from storybot.observability.logs import EcsFormatter, TraceIdFilter, access_log, configure_logging
from storybot.observability.tracing import trace_id_from_headers
from tests.support import admin_client, first_admin


@pytest.fixture
def log_file(sqlite_app: Flask, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "test.log"
    configure_logging(path, terminal=False)
    yield path
    configure_logging(None, terminal=False)


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_incoming_trace_id_is_kept_and_returned(client: FlaskClient) -> None:
    response = client.get("/api/prompts", headers={"X-Trace-Id": "order-1234-abcd"})
    assert response.headers["X-Trace-Id"] == "order-1234-abcd"


def test_unsafe_trace_id_is_replaced_by_a_random_128_bit_one(client: FlaskClient) -> None:
    response = client.get("/api/prompts", headers={"X-Trace-Id": "bad id <script>"})
    trace_id = response.headers["X-Trace-Id"]
    assert len(trace_id) == 32
    int(trace_id, 16)
    other = client.get("/api/prompts").headers["X-Trace-Id"]
    assert other != trace_id


def test_traceparent_supplies_the_trace_id() -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert trace_id_from_headers(None, parent) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len(trace_id_from_headers(None, "00-garbage")) == 32
    assert trace_id_from_headers("short", None) != "short"  # under 8 characters


def test_trace_id_is_in_the_json_log_line_on_disk(sqlite_app: Flask, log_file: Path) -> None:
    client = admin_client(sqlite_app)
    response = client.post(
        "/api/prompts", json={"content": "logged"}, headers={"X-Trace-Id": "trace-on-disk-01"}
    )
    assert response.headers["X-Trace-Id"] == "trace-on-disk-01"
    lines = [line for line in log_lines(log_file) if line.get("trace", {}).get("id")]
    access = [line for line in lines if line["log"]["logger"] == "storybot.access"]
    assert access, log_file.read_text()
    line = access[-1]
    assert line["trace"]["id"] == "trace-on-disk-01"
    assert line["http"]["route"] == "/api/prompts"
    assert line["http"]["response"]["status_code"] == 201
    assert line["http"]["request"]["method"] == "POST"
    assert line["event"]["duration"] > 0
    assert line["user"]["id"] == first_admin(sqlite_app).id  # the account, by id only
    assert "@timestamp" in line
    assert line["ecs.version"]


def test_an_unexpected_error_is_logged_with_its_trace_id(sqlite_app: Flask, log_file: Path) -> None:
    @sqlite_app.get("/api/explode")
    def explode() -> str:
        raise ValueError("the reason")

    client = admin_client(sqlite_app)
    response = client.get("/api/explode", headers={"X-Trace-Id": "trace-of-a-crash"})
    assert response.status_code == 500
    errors = [line for line in log_lines(log_file) if line["log.level"] == "error"]
    assert errors[-1]["trace"]["id"] == "trace-of-a-crash"
    assert "the reason" in errors[-1]["error"]["message"]
    assert "in explode" in errors[-1]["error"]["stack_trace"]


def test_metrics_show_histogram_buckets_by_route_rule(client: FlaskClient) -> None:
    prompt = client.post("/api/prompts", json={"content": "measured"}).json
    client.get(f"/api/prompts/{prompt['id']}")
    client.get("/api/prompts/424242")
    text = client.get("/metrics").get_data(as_text=True)
    rule = "/api/prompts/<id:prompt_id>"
    bucket = "storybot_http_request_duration_seconds_bucket"
    assert f'{bucket}{{le="0.005",method="GET",route="{rule}"}}' in text
    assert f'storybot_http_requests_total{{method="GET",route="{rule}",status="404"}}' in text
    assert "/api/prompts/424242" not in text  # raw paths never become labels
    assert "process_resident_memory_bytes" in text


def test_metrics_work_in_multiprocess_mode(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, /metrics aggregates the processes' files."""
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    script = f"""
from pathlib import Path
from storybot import create_app
from storybot.cli import prepare_database
from storybot.config import Settings
from tests.support import admin_client
app = create_app(Settings(env="test", data_dir=Path({str(tmp_path)!r})))
prepare_database(app)
client = admin_client(app)
client.get("/api/prompts")
print(client.get("/metrics").get_data(as_text=True))
"""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert 'storybot_http_requests_total{method="GET",route="/api/prompts",status="200"} 1.0' in out
    assert "storybot_http_request_duration_seconds_bucket" in out
    assert list(metrics_dir.iterdir()), "metrics were written to the shared directory"


def _library_line(formatter: EcsFormatter, record: logging.LogRecord) -> str:
    """What the ECS library itself writes for ``record``."""
    return ecs_logging.StdlibFormatter.format(formatter, record)


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_requests_access_line_is_what_the_ecs_library_writes(sqlite_app: Flask) -> None:
    """The access line's short way gives the library's line, byte for byte, for the
    record a real signed-in request logs (a field added to the line and not to
    ``ACCESS_FIELDS`` fails here)."""
    kept = _Keep()
    kept.addFilter(TraceIdFilter())
    access_log.addHandler(kept)
    try:
        client = admin_client(sqlite_app)
        assert client.get("/api/prompts", headers={"X-Trace-Id": "trace-of-the-line"}).status_code
    finally:
        access_log.removeHandler(kept)
    (record,) = kept.records
    formatter = EcsFormatter()
    line = formatter.format(record)
    assert line == _library_line(formatter, record)
    fields = json.loads(line)
    assert fields["user"]["id"] == first_admin(sqlite_app).id
    assert fields["trace"]["id"] == "trace-of-the-line"


def test_an_access_line_without_optional_fields_is_what_the_library_writes() -> None:
    path = '/api/prompts/なまえ"\\'
    record = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        1,
        "%s %s %s %sms",
        ("GET", path, 404, None),
        None,
        extra={
            "client.ip": None,
            "http.request.method": "GET",
            "url.path": path,
            "http.route": "<unmatched>",
            "http.response.status_code": 404,
            "event.duration": None,
            "user.id": None,
        },
    )
    TraceIdFilter().filter(record)  # outside a request: no trace id
    formatter = EcsFormatter()
    line = formatter.format(record)
    assert line == _library_line(formatter, record)
    assert json.loads(line)["url"]["path"] == path
