"""Metrics from every process: a replaced server worker's counts stay, a queue worker has its own.

``storybot serve`` keeps its metrics in files (prometheus_client's multiprocess
mode), so when its gunicorn worker is killed mid-story and replaced, ``/metrics``
still counts what the dead worker did, and counts the story's take-over and
its resumption. ``storybot worker`` serves its own metrics on
``STORYBOT_METRICS_PORT``. The model is the scripted fake OpenAI-compatible
server, so that a story is exactly as slow as a test needs.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.engines.fake_openai_server import FakeOpenAIServer, Reply
from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.support import LiveServer, WorkerProcess, child_pids, free_port

SLOW_BODY = [f"step{index} " for index in range(30)]
PIECE_DELAY = 0.15


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The samples of a Prometheus text exposition, by name and labels (it must parse)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels`` (0: none)."""
    wanted = set(labels.items())
    return sum(
        value
        for (found, their_labels), value in _samples(text).items()
        if found == name and wanted <= their_labels
    )


def _stories_asked(text: str) -> float:
    """The stories asked for and accepted (202), by the requests counter."""
    return _value(
        text, "storybot_http_requests_total", method="POST", route="/api/stories", status="202"
    )


def _families(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


def _ask(server: LiveServer) -> int:
    made = server.session.post(
        f"{server.url}/api/stories", json={"prompt": "A walk in steps."}, timeout=30
    )
    assert made.status_code == 202, made.text
    story_id: int = made.json()["id"]
    return story_id


def _story(server: LiveServer, story_id: int) -> dict:
    story: dict = server.session.get(f"{server.url}/api/stories/{story_id}", timeout=30).json()
    return story


def _until_pieces(server: LiveServer, story_id: int, pieces: int) -> None:
    deadline = time.monotonic() + 30
    while _story(server, story_id)["last_seq"] < pieces:
        assert time.monotonic() < deadline, "the story is not being written"
        time.sleep(0.05)


def _metrics(url: str) -> str:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return answer.text


@pytest.mark.slow
def test_the_server_worker_killed_mid_story_its_counts_stay_and_the_takeover_is_counted(
    tmp_path: Path, fake_openai: FakeOpenAIServer
) -> None:
    server = LiveServer(tmp_path).start()
    try:
        server.use_openai_server(fake_openai.base_url, read_timeout=10.0)
        fake_openai.enqueue(
            Reply(pieces=SLOW_BODY, piece_delay=PIECE_DELAY),  # cut when its worker dies
            Reply(pieces=["and at the top they rested. "]),  # the body, written on
            Reply(pieces=["Title: The Steps"]),
        )
        story_id = _ask(server)
        _until_pieces(server, story_id, 4)
        before = _metrics(f"{server.url}/metrics")
        assert _stories_asked(before) == 1
        polls = _value(before, "storybot_http_requests_total", route="/api/stories/<id:story_id>")
        assert polls >= 1
        assert _value(before, "storybot_generations_in_flight", engine="remote") == 1

        assert server.process is not None
        (worker,) = child_pids(server.process.pid)  # gunicorn's worker: the app
        os.kill(worker, signal.SIGKILL)
        story = server.ended_story(story_id)
        assert story["status"] == "done", story
        assert story["resumes"] == 1
        (replacement,) = child_pids(server.process.pid)
        assert replacement != worker

        after = _metrics(f"{server.url}/metrics")
        # What the killed worker counted is still there, added to the new worker's counts.
        assert _stories_asked(after) == 1
        assert (
            _value(after, "storybot_http_requests_total", route="/api/stories/<id:story_id>")
            > polls
        )
        assert _value(after, "storybot_story_takeovers_total", outcome="resumed") == 1
        assert _value(after, "storybot_story_takeovers_total", outcome="interrupted") == 0
        assert _value(after, "storybot_stories_resumed_total") == 1
        assert _value(after, "storybot_generation_tokens_total", engine="remote") > 0
        assert _value(after, "storybot_worker_heartbeats_total") > 0
        # The dead worker's story no longer counts as being written.
        assert _value(after, "storybot_generations_in_flight", engine="remote") == 0
        assert _value(after, "process_resident_memory_bytes") > 0  # the answering process's
        assert any((server.data_dir / "metrics" / str(server.port)).glob("counter_*.db"))
    finally:
        server.stop()


@pytest.mark.slow
def test_a_queue_worker_serves_its_own_metrics_on_its_port(
    tmp_path: Path, postgres_url: str, fake_openai: FakeOpenAIServer
) -> None:
    env = {
        "STORYBOT_DATABASE_URL": postgres_url,
        "STORYBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "STORYBOT_REDIS_PREFIX": f"storybot-test-{secrets.token_hex(4)}:",
    }
    web = LiveServer(tmp_path / "web", env=env)
    (tmp_path / "web").mkdir()
    port = free_port()
    worker = WorkerProcess(tmp_path, "worker", {**env, "STORYBOT_METRICS_PORT": str(port)})
    try:
        web.start()
        worker.start()
        web.use_openai_server(fake_openai.base_url, read_timeout=10.0)
        worker_metrics = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 10
        while _value(_metrics(worker_metrics), "storybot_worker_heartbeats_total") < 1:
            assert time.monotonic() < deadline, "the worker's port shows no heartbeat"
            time.sleep(0.2)

        story = web.ended_story(_ask(web))
        assert story["status"] == "done", story

        text = _metrics(worker_metrics)
        assert _value(text, "storybot_generation_tokens_total", engine="remote") > 0
        web_text = _metrics(f"{web.url}/metrics")
        # The web process wrote nothing: the tokens are counted once, by the worker.
        assert _value(web_text, "storybot_generation_tokens_total") == 0
        # The same metrics, by the same names, on both kinds of process.
        generation = {name for name in _families(web_text) if name.startswith("storybot_")}
        assert "storybot_worker_heartbeats" in generation  # the web process beats too
        assert generation <= _families(text)

        second = WorkerProcess(tmp_path, "worker-2", {**env, "STORYBOT_METRICS_PORT": str(port)})
        with pytest.raises(RuntimeError, match="give each worker on a host its own"):
            second.start()
    finally:
        worker.stop()
        web.stop()


def test_a_restarted_server_starts_its_counts_afresh(tmp_path: Path) -> None:
    first = LiveServer(tmp_path).start()  # its first admin is made through the setup page
    try:
        counted = _metrics(f"{first.url}/metrics")
        assert _value(counted, "storybot_http_requests_total", route="/api/auth/setup") == 1
    finally:
        first.stop()
    again = LiveServer(tmp_path)  # the same data dir and port: the same folder of files
    again.port, again.url = first.port, first.url
    again.env.update(STORYBOT_DATA_DIR=str(first.data_dir), STORYBOT_PORT=str(first.port))
    again.start()  # signs in: its setup attempt is refused (409)
    try:
        text = _metrics(f"{again.url}/metrics")
        # The last run's files were removed: no count of a process that is gone.
        assert _value(text, "storybot_http_requests_total", route="/api/auth/setup") == 1
        assert _value(text, "storybot_http_requests_total", status="201") == 1  # its token
    finally:
        again.stop()


def test_a_folder_the_operator_named_is_used_as_it_is(tmp_path: Path) -> None:
    own = tmp_path / "own-metrics"
    own.mkdir()
    server = LiveServer(tmp_path, env={"PROMETHEUS_MULTIPROC_DIR": str(own)}).start()
    try:
        text = _metrics(f"{server.url}/metrics")
        assert _value(text, "storybot_http_requests_total", route="/api/auth/setup") == 1
        assert any(own.glob("counter_*.db"))
        assert not (server.data_dir / "metrics").exists()
    finally:
        server.stop()
