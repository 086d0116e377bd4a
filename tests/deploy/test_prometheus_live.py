"""The real ``prometheus`` runs the shipped configuration against a running Storybot (a
``storybot serve`` and one ``storybot worker`` that writes its stories, queued on Redis)
and reads Storybot's series back through its HTTP API.

The shipped ``deploy/prometheus/prometheus.yml`` is used as it is, with two documented
changes: its targets files (``targets/*.yml``, file_sd_configs) name the test's ports,
and ``scrape_interval``/``evaluation_interval`` are 1 s instead of 15 s.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.deploy.conftest import program
from tests.deploy.prometheus_support import (
    PROMETHEUS,
    RULE_FILES,
    dashboard_exprs,
    use_engines,
    write_story,
)
from tests.support import LiveServer, WorkerProcess, free_port, stop_child


def _configure(folder: Path, web_port: int, worker_port: int) -> Path:
    """The shipped config in ``folder``, with this test's targets and 1 s intervals."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config["global"]["scrape_timeout"] = "1s"
    for name in RULE_FILES:
        shutil.copy(PROMETHEUS / name, folder / name)
    targets = folder / "targets"
    targets.mkdir()
    (targets / "storybot-web.yml").write_text(
        yaml.safe_dump([{"targets": [f"127.0.0.1:{web_port}"]}])
    )
    (targets / "storybot-worker.yml").write_text(
        yaml.safe_dump([{"targets": [f"127.0.0.1:{worker_port}"]}])
    )
    path = folder / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@dataclass(frozen=True)
class Storybot:
    """The web process and the metrics port of its queue worker."""

    web: LiveServer
    worker_port: int


@pytest.fixture
def storybot(tmp_path: Path) -> Iterator[Storybot]:
    """``storybot serve`` and one ``storybot worker`` on one SQLite file and Redis."""
    env = {
        "STORYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'storybot.sqlite3'}",
        "STORYBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "STORYBOT_REDIS_PREFIX": f"storybot-test-{secrets.token_hex(4)}:",
    }
    web = LiveServer(tmp_path, env=env)
    worker_port = free_port()
    worker = WorkerProcess(tmp_path, "worker", {**env, "STORYBOT_METRICS_PORT": str(worker_port)})
    try:
        web.start()  # it upgrades the database; the worker waits for that
        worker.start()
        yield Storybot(web, worker_port)
    finally:
        worker.stop()
        web.stop()


@pytest.fixture
def prometheus(tmp_path: Path, storybot: Storybot) -> Iterator[str]:
    """A real Prometheus scraping ``storybot``; its base URL."""
    config = _configure(tmp_path, storybot.web.port, storybot.worker_port)
    port = free_port()
    output = tmp_path / "prometheus-output.txt"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [
                program("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _until_ready(base, process, output)
        yield base
    finally:
        stop_child(process)
    if process.returncode not in (0, -15):
        pytest.fail(f"prometheus exited with {process.returncode}:\n{output.read_text()}")


def _until_ready(base: str, process: subprocess.Popen[bytes], output: Path) -> None:
    """Wait for Prometheus's /-/ready; fail with its output if it exits or takes 20 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prometheus exited with {process.returncode}:\n{output.read_text()}")
        try:
            if requests.get(f"{base}/-/ready", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"prometheus was not ready after 20 s:\n{output.read_text()}")


def _query(base: str, expr: str) -> list[dict[str, Any]]:
    """The result of an instant query (empty until Prometheus has it)."""
    try:
        answer = requests.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5)
    except requests.ConnectionError:
        return []  # not listening yet
    if answer.status_code == 503:  # still starting
        return []
    body = answer.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def _until(base: str, expr: str, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = _query(base, expr)
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"Prometheus has no result for {expr} after {timeout}s")


def test_prometheus_scrapes_storybot_and_loads_the_rules(
    prometheus: str, storybot: Storybot
) -> None:
    live_server = storybot.web
    use_engines(live_server)
    (up,) = _until(prometheus, 'up{job="storybot-web"} == 1')
    assert up["metric"]["instance"] == f"127.0.0.1:{live_server.port}"
    (up,) = _until(prometheus, 'up{job="storybot-worker"} == 1')
    assert up["metric"]["instance"] == f"127.0.0.1:{storybot.worker_port}"
    assert write_story(live_server)["status"] == "done"  # while Prometheus watches

    # The worker wrote it: its outcome, engine check and heartbeats, on the worker's job.
    (done,) = _until(prometheus, 'storybot_generations_total{engine="fake",outcome="done"} == 1')
    assert done["metric"]["job"] == "storybot-worker"
    (engine,) = _until(prometheus, 'storybot_engine_up{job="storybot-worker",engine="fake"}')
    assert engine["value"][1] == "1"
    for job in ("storybot-web", "storybot-worker"):  # both beat: no heartbeat alert
        _until(prometheus, f'increase(storybot_worker_heartbeats_total{{job="{job}"}}[10s]) > 0')

    # A Storybot series read back through Prometheus: the story asked for.
    asked = _until(
        prometheus, 'storybot_http_requests_total{route="/api/stories",method="POST",status="202"}'
    )
    assert float(asked[0]["value"][1]) == 1
    assert asked[0]["metric"]["job"] == "storybot-web"
    (engine,) = _until(prometheus, 'storybot_engine_up{job="storybot-web",engine="fake"}')
    assert engine["value"][1] == "1"
    # A recording rule evaluates on the scraped series: requests go on (a series' first
    # sample starts its rate, so the count must grow while Prometheus scrapes).
    deadline = time.monotonic() + 20
    while not (
        rate := _query(prometheus, 'job:storybot_http_requests:rate5m{job="storybot-web"} > 0')
    ):
        assert time.monotonic() < deadline, "the recording rule has no rate of requests"
        live_server.session.get(f"{live_server.url}/api/health", timeout=5)
        time.sleep(0.25)
    assert float(rate[0]["value"][1]) > 0

    rules = requests.get(f"{prometheus}/api/v1/rules", timeout=5).json()
    assert rules["status"] == "success"
    groups = {group["name"]: group for group in rules["data"]["groups"]}
    assert set(groups) == {"storybot-recording", "storybot-alerts"}
    alerts = {rule["name"] for rule in groups["storybot-alerts"]["rules"]}
    assert alerts == {
        "StorybotTargetDown",
        "StorybotHigh5xxRatio",
        "StorybotSlowRequests",
        "StorybotSlowFirstText",
        "StorybotGenerationFailures",
        "StorybotQueueBacklog",
        "StorybotQueueWaitHigh",
        "StorybotWorkerHeartbeatMissing",
        "StorybotEngineDown",
        "StorybotStoriesInterrupted",
        "StorybotTakeoversFrequent",
    }
    unhealthy = [
        rule["name"]
        for group in groups.values()
        for rule in group["rules"]
        if rule["health"] == "err"
    ]
    assert unhealthy == []

    # Every panel's query is PromQL this Prometheus accepts (_query asserts success).
    for expr in dashboard_exprs():
        _query(prometheus, expr)
