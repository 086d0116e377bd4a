"""A story whose writer is gone goes on by itself, once; a second loss ends it interrupted."""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from storybot.database import write_intent
from storybot.engines.base import Finish
from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.jobs import heartbeat, lifecycle
from storybot.jobs.notify import StoryBus
from storybot.jobs.pieces import PieceWriter
from storybot.models import Story, StoryPiece, StoryRequest, StoryStatus, StoryWorker, utcnow
from storybot.services.components import components
from tests.stories.support import read_events, wait_for
from tests.support import Account, admin_client

SO_FAR = ["Title: The Brave Owl\n\n", "Once upon a time, ", "an owl "]


def _dead_pid() -> int:
    """The id of a process of this host that has ended."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def _left_running(
    app: Flask,
    owner: Account,
    *,
    resumes: int = 0,
    hostname: str | None = None,
    pid: int | None = None,
    silent_for: timedelta = timedelta(0),
) -> int:
    """A story half written by a worker (by default: a process of this host that ended)."""
    pid = pid if pid is not None else _dead_pid()
    hostname = hostname or socket.gethostname()
    with app.app_context(), write_intent():
        worker = StoryWorker(
            id=f"{hostname}:{pid}:test",
            hostname=hostname,
            pid=pid,
            kind="serve",
            beat_at=utcnow() - silent_for,
        )
        story = Story(
            owner_id=owner.id,
            status=StoryStatus.RUNNING,
            engine="fake",
            writer_id=worker.id,
            resumes=resumes,
            started_at=utcnow(),
            request=StoryRequest(prompt_text="An owl who is brave", words=120),
            messages=[{"role": "user", "content": "A story about a brave owl."}],
        )
        db.session.add_all([worker, story])
        db.session.flush()
        for seq, text in enumerate(SO_FAR, start=1):
            db.session.add(StoryPiece(story_id=story.id, seq=seq, text=text))
        db.session.commit()
        return story.id


def test_a_story_whose_writer_died_goes_on_from_its_text_and_ends_done(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    story_id = _left_running(app, admin)
    fake_engine.enqueue(["flew over ", "the hills."])

    components(app).runner.start()  # its first beat sweeps: the writer's process is gone

    events = read_events(client, story_id)
    done = wait_for(client, story_id, "done")
    assert done["text"] == "".join(SO_FAR) + "flew over the hills."
    assert done["resumes"] == 1
    # The model was given the story so far as its own unfinished answer, to write on.
    (call,) = fake_engine.calls[:1]
    assert call.messages[-1] == {"role": "assistant", "content": "".join(SO_FAR)}
    # A viewer saw every piece once, in order, and a status saying it was resumed.
    texts = [e for e in events if e.event == "text"]
    assert [e.id for e in texts] == list(range(1, len(texts) + 1))
    assert "".join(e.data["text"] for e in texts) == done["text"]
    assert any(e.event == "status" and e.data["resumes"] == 1 for e in events)
    assert events[-1].event == "done"


def _count(name: str, **labels: str) -> float:
    """A counter of this process now (the tests share one process's metrics)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_story_going_on_by_itself_is_counted_and_a_continue_is_not(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    resumed = _count("storybot_stories_resumed_total")
    taken = _count("storybot_story_takeovers_total", outcome="resumed")
    story_id = _left_running(app, admin)
    fake_engine.enqueue(["flew over ", "the hills."])
    components(app).runner.start()
    wait_for(client, story_id, "done")
    assert _count("storybot_story_takeovers_total", outcome="resumed") == taken + 1
    assert _count("storybot_stories_resumed_total") == resumed + 1

    assert client.post(f"/api/stories/{story_id}/continue").status_code == 202
    wait_for(client, story_id, "done")
    assert _count("storybot_stories_resumed_total") == resumed + 1  # asked for: not resumed


def test_a_story_resumed_once_whose_writer_dies_again_ends_interrupted_with_its_text(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    story_id = _left_running(app, admin, resumes=1)
    components(app).runner.start()
    ended = wait_for(client, story_id, "interrupted")
    assert ended["text"] == "".join(SO_FAR)
    assert ended["title"] == "The Brave Owl"
    assert ended["failure_params"] == {"cause": "writer_lost"}
    assert "stopped twice" in ended["failure_reason"]
    assert fake_engine.calls == []
    # "Continue" is a new run: it may go on by itself once again.
    fake_engine.enqueue(["flew home."])
    assert client.post(f"/api/stories/{story_id}/continue").status_code == 202
    continued = wait_for(client, story_id, "done")
    assert continued["text"] == "".join(SO_FAR) + "flew home."
    assert continued["resumes"] == 0


def test_with_resuming_turned_off_a_story_whose_writer_died_ends_interrupted(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    response = admin_client(app).patch("/api/settings", json={"resume_stories": False})
    assert response.status_code == 200, response.json
    story_id = _left_running(app, admin)
    components(app).runner.start()
    ended = wait_for(client, story_id, "interrupted")
    assert ended["failure_params"] == {"cause": "restart"}
    assert "server stopped" in ended["failure_reason"]
    assert read_events(client, story_id)[-1].event == "interrupted"


def test_a_writer_on_another_host_is_gone_only_once_it_stops_beating(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    alive = _left_running(app, admin, hostname="elsewhere", pid=1, silent_for=timedelta(seconds=3))
    silent = _left_running(
        app, admin, hostname="elsewhere", pid=2, silent_for=timedelta(seconds=30)
    )
    fake_engine.enqueue(["flew home."])
    with app.app_context():
        assert [story_id for story_id, _ in heartbeat.orphans(None)] == [silent]
    components(app).runner.start()
    assert wait_for(client, silent, "done")["text"].endswith("an owl flew home.")
    assert client.get(f"/api/stories/{alive}").json["status"] == "running"


def test_a_writer_thought_gone_can_neither_add_to_nor_end_a_story_taken_from_it(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    story_id = _left_running(
        app, admin, hostname="elsewhere", pid=7, silent_for=timedelta(minutes=1)
    )
    old_writer = "elsewhere:7:test"
    with app.app_context():
        pieces = PieceWriter(story_id, len(SO_FAR) + 1, StoryBus(), old_writer, flush_every=60)
        assert pieces.add("flew ") is False  # written while it still was the writer
        (taken,) = heartbeat.sweep(None, resume=True)
        assert taken.resumed
        assert pieces.add("late words") is False  # buffered ...
        assert pieces.flush() is True  # ... and refused: it reads as a cancel, writing stops
        assert not lifecycle.finish(story_id, Finish("stop", 1, 1), writer=old_writer)
        story = db.session.get_one(Story, story_id)
        assert (story.status, story.writer_id) == (StoryStatus.QUEUED, None)
        text = "".join(
            db.session.scalars(
                select(StoryPiece.text)
                .where(StoryPiece.story_id == story_id)
                .order_by(StoryPiece.seq)
            )
        )
        assert text == "".join(SO_FAR) + "flew "
