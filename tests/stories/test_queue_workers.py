"""Many processes: two web processes and two ``storybot worker`` on PostgreSQL and Redis.

A story asked for through one web process is written by a worker and
streamed through the other web process; a worker killed mid-story (SIGKILL)
leaves its story to the other, which writes it on; a second death ends the
story interrupted; fifty stories at once all end. The model is the scripted
fake OpenAI-compatible server, so that a story is exactly as slow as a test
needs.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy.engine import make_url

from tests.engines.fake_openai_server import FakeOpenAIServer, Reply
from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.support import TEST_PASSWORD, FollowedStory, LiveServer, WorkerProcess, follow_story

SLOW_BODY = [f"step{index} " for index in range(30)]
PIECE_DELAY = 0.15


@dataclass
class Topology:
    """The processes of one test, and the database they share."""

    web: list[LiveServer]
    workers: list[WorkerProcess]
    database_url: str

    def writer_of(self, story_id: int) -> str | None:
        """The worker id the story names as its writer now."""
        url = make_url(self.database_url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
            row = conn.execute("SELECT writer_id FROM story WHERE id = %s", (story_id,)).fetchone()
        return row[0] if row else None

    def worker_writing(self, story_id: int, not_this: str | None = None) -> WorkerProcess:
        """The worker process writing the story (once one other than ``not_this`` is)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            writer = self.writer_of(story_id)
            if writer and writer != not_this:
                pid = int(writer.split(":")[1])
                for worker in self.workers:
                    if worker.pid == pid:
                        return worker
            time.sleep(0.05)
        raise AssertionError(f"no worker is writing story {story_id}")


@pytest.fixture
def topology(
    tmp_path: Path, postgres_url: str, fake_openai: FakeOpenAIServer
) -> Iterator[Topology]:
    """Two web processes and two queue workers on this run's PostgreSQL and Redis."""
    env = {
        "STORYBOT_DATABASE_URL": postgres_url,
        "STORYBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "STORYBOT_REDIS_PREFIX": f"storybot-test-{secrets.token_hex(4)}:",
        "STORYBOT_RATE_LIMIT": "100000 per minute",
        "STORYBOT_SIGN_IN_RATE_LIMIT": "100000 per minute",
        "STORYBOT_SIGN_IN_EMAIL_RATE_LIMIT": "100000 per minute",
        "STORYBOT_STORY_RATE_LIMIT": "100000 per hour",
    }
    web: list[LiveServer] = []
    workers: list[WorkerProcess] = []
    try:
        for name in ("web-a", "web-b"):
            (tmp_path / name).mkdir()
            server = LiveServer(tmp_path / name, env=env)
            web.append(server)
            server.start()  # one after the other: the first migrates the database
        for name in ("worker-1", "worker-2"):
            workers.append(WorkerProcess(tmp_path, name, env).start())
        engines = {
            "local": {"type": "local"},
            "remote": {
                "type": "openai",
                "base_url": fake_openai.base_url,
                "model": "fake-model",
                "languages": ["en"],
                "read_timeout": 10.0,
            },
        }
        answer = web[0].session.patch(
            f"{web[0].url}/api/settings",
            json={
                "engines": engines,
                "default_engine": "remote",
                "max_stories_per_account": 60,
                "max_queued_stories": 100,
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        yield Topology(web, workers, postgres_url)
    finally:
        for process in [*workers, *web]:
            process.stop()


def _ask(server: LiveServer, prompt: str = "A walk in steps.") -> int:
    made = server.session.post(f"{server.url}/api/stories", json={"prompt": prompt}, timeout=30)
    assert made.status_code == 202, made.text
    story_id: int = made.json()["id"]
    return story_id


def _story(server: LiveServer, story_id: int) -> dict:
    story: dict = server.session.get(f"{server.url}/api/stories/{story_id}", timeout=10).json()
    return story


def _until_pieces(server: LiveServer, story_id: int, pieces: int) -> None:
    deadline = time.monotonic() + 30
    while _story(server, story_id)["last_seq"] < pieces:
        assert time.monotonic() < deadline, "the story is not being written"
        time.sleep(0.05)


def _watch(server: LiveServer, story_id: int) -> tuple[threading.Thread, list[FollowedStory]]:
    """A viewer of the story on ``server``, in a thread, connected before this returns."""
    seen: list[FollowedStory] = []
    connected = threading.Event()
    url = f"{server.url}/api/stories/{story_id}/events"
    viewer = threading.Thread(
        target=lambda: seen.append(follow_story(url, server.headers, first_event=connected))
    )
    viewer.start()
    assert connected.wait(30)
    return viewer, seen


@pytest.mark.slow
def test_a_worker_killed_mid_story_the_other_worker_finishes_it(
    topology: Topology, fake_openai: FakeOpenAIServer
) -> None:
    asked_on, viewed_on = topology.web
    fake_openai.enqueue(
        Reply(pieces=SLOW_BODY, piece_delay=PIECE_DELAY),  # cut when its worker dies
        Reply(pieces=["and at the top they rested. "]),  # the body, written on (it ends it)
        Reply(pieces=["Title: The Steps"]),  # the title
    )
    story_id = _ask(asked_on)
    viewer, seen = _watch(viewed_on, story_id)
    _until_pieces(asked_on, story_id, 4)
    first = topology.worker_writing(story_id)
    os.kill(first.pid, signal.SIGKILL)

    viewer.join(120)
    (followed,) = seen
    story = _story(viewed_on, story_id)
    assert story["status"] == "done", story
    assert story["resumes"] == 1
    assert topology.writer_of(story_id) is None  # ended: no writer named any more
    # Written on from where the first worker stopped: not started again, nothing twice.
    assert story["text"].startswith("step0 step1 step2 step3 ")
    assert story["text"].endswith("and at the top they rested. ")
    assert story["text"].count("step0 ") == 1
    # The viewer, on the other web process, saw each piece once and in order, without
    # losing its connection, and was told the story was resumed.
    assert followed.reconnects == 0
    assert followed.text_ids == list(range(1, story["last_seq"] + 1))
    assert followed.text == story["text"]
    assert any(name == "status" and data["resumes"] == 1 for name, _, data in followed.events)
    assert followed.events[-1][0] == "done"


@pytest.mark.slow
def test_a_story_whose_second_writer_dies_too_ends_interrupted_with_its_text(
    topology: Topology, fake_openai: FakeOpenAIServer
) -> None:
    asked_on, viewed_on = topology.web
    fake_openai.enqueue(
        Reply(pieces=SLOW_BODY, piece_delay=PIECE_DELAY),
        Reply(pieces=SLOW_BODY, piece_delay=PIECE_DELAY),
    )
    story_id = _ask(asked_on)
    viewer, seen = _watch(viewed_on, story_id)
    _until_pieces(asked_on, story_id, 4)
    first = topology.worker_writing(story_id)
    before = first.pid
    os.kill(first.pid, signal.SIGKILL)
    second = topology.worker_writing(story_id, not_this=topology.writer_of(story_id))
    assert second.pid != before
    _until_pieces(asked_on, story_id, 10)
    os.kill(second.pid, signal.SIGKILL)  # no worker is left: a web process sweeps

    viewer.join(120)
    (followed,) = seen
    story = _story(viewed_on, story_id)
    assert story["status"] == "interrupted", story
    assert story["failure_params"] == {"cause": "writer_lost"}
    assert story["text"].startswith("step0 step1 step2")
    assert followed.text == story["text"]
    assert followed.events[-1][0] == "interrupted"


def _second_family(server: LiveServer) -> requests.Session:
    """A member account made by the admin, signed in with a token of its own."""
    made = server.session.post(
        f"{server.url}/api/users",
        json={"email": "family-b@example.com", "password": TEST_PASSWORD, "role": "member"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    browser = requests.Session()
    signed_in = browser.post(
        f"{server.url}/api/auth/login",
        json={"email": "family-b@example.com", "password": TEST_PASSWORD},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    token = browser.post(
        f"{server.url}/api/tokens",
        json={"name": "tests"},
        headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        timeout=30,
    ).json()["token"]
    family = requests.Session()
    family.headers["Authorization"] = f"Bearer {token}"
    return family


@pytest.mark.slow
def test_fifty_stories_at_once_from_two_families_all_end_taking_turns(
    topology: Topology, fake_openai: FakeOpenAIServer
) -> None:
    first_web, second_web = topology.web
    # Every answer of the model takes a little while, so that the queue is long.
    fake_openai.enqueue(*[Reply(piece_delay=0.03) for _ in range(200)])
    family_b = _second_family(second_web)
    a_ids = [_ask(first_web, f"Story number {index}.") for index in range(25)]
    b_ids = []
    for index in range(25):
        made = family_b.post(
            f"{second_web.url}/api/stories", json={"prompt": f"Story B{index}."}, timeout=30
        )
        assert made.status_code == 202, made.text
        b_ids.append(made.json()["id"])

    def read(story_id: int) -> dict:  # each family sees its own stories only
        if story_id in b_ids:
            found: dict = family_b.get(
                f"{second_web.url}/api/stories/{story_id}", timeout=10
            ).json()
            return found
        return _story(first_web, story_id)

    deadline = time.monotonic() + 240
    pending = set(a_ids + b_ids)
    while pending and time.monotonic() < deadline:
        for story_id in list(pending):
            if read(story_id)["status"] not in ("queued", "running"):
                pending.discard(story_id)
        time.sleep(0.2)
    assert not pending, f"{len(pending)} stories did not end"
    stories = {story_id: read(story_id) for story_id in a_ids + b_ids}
    assert {story["status"] for story in stories.values()} == {"done"}
    assert {story["resumes"] for story in stories.values()} == {0}
    # Family B's first story waited for at most one of family A's to start before it
    # (a worker came free), though A had asked for 25 first.
    b_first = stories[b_ids[0]]
    a_started_between = [
        story_id
        for story_id in a_ids
        if b_first["created_at"] < stories[story_id]["started_at"] < b_first["started_at"]
    ]
    assert len(a_started_between) <= 1, a_started_between
