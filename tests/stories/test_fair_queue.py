"""The queue is fair across families: a round-robin claim, a limit per account,
and a place in the queue with an estimated wait."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from storybot.database import write_intent
from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.jobs.queue import claim_next, claim_order
from storybot.jobs.wait_estimate import Speed, Work, estimate_wait, measured_speeds
from storybot.models import Story, StoryRequest, StoryStatus, utcnow
from tests.stories.support import MOON, ask, read_events, wait_for, write
from tests.support import Account, add_account, signed_in

PIECES = ["Title: A Walk\n\n", "Once ", "upon ", "a ", "time."]


@pytest.fixture
def family_b(app: Flask, fake_engine: FakeEngine) -> FlaskClient:
    """A second family's account (a member), asking for stories with the same fake engine."""
    return signed_in(app.test_client(), add_account(app, "b@example.com", "member"))


def story_count(app: Flask) -> int:
    """How many stories are saved, of every account."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Story))
        db.session.remove()
    return int(count or 0)


def measured(app: Flask, owner: Account, *runs: tuple[int, float, int]) -> None:
    """Finished stories of the fake engine: (completion tokens, seconds, max_tokens) each."""
    with app.app_context(), write_intent():
        ended = utcnow()
        for tokens, seconds, max_tokens in runs:
            db.session.add(
                Story(
                    owner_id=owner.id,
                    engine="fake",
                    status=StoryStatus.DONE,
                    completion_tokens=tokens,
                    started_at=ended - timedelta(seconds=seconds),
                    finished_at=ended,
                    request=StoryRequest(max_tokens=max_tokens),
                )
            )
        db.session.commit()
        db.session.remove()


def test_one_familys_queue_delays_anothers_first_story_by_one_story(
    client: FlaskClient, family_b: FlaskClient, fake_engine: FakeEngine
) -> None:
    client.patch("/api/settings", json={"max_stories_per_account": 4})
    fake_engine.enqueue(PIECES, pause_after=1)
    a1 = ask(client, "A1")
    wait_for(client, a1["id"], "running")
    a_queued = [ask(client, f"A{i}") for i in (2, 3, 4)]
    b1 = ask(family_b, "B1")

    # One of A's stories is being written: B's first story is next, then A's others.
    assert b1["queue_position"] == 1
    positions = [client.get(f"/api/stories/{s['id']}").json["queue_position"] for s in a_queued]
    assert positions == [2, 3, 4]

    fake_engine.release()
    ended = [wait_for(client, s["id"], "done") for s in (a1, *a_queued)]
    ended.insert(1, wait_for(family_b, b1["id"], "done"))
    by_start = sorted(ended, key=lambda s: s["started_at"])
    assert [s["request"]["prompt"] for s in by_start] == ["A1", "B1", "A2", "A3", "A4"]


def test_the_claim_order_puts_resumed_stories_first_and_counts_no_owner_as_one_account(
    app: Flask, admin: Account
) -> None:
    with app.app_context(), write_intent():
        started = utcnow() - timedelta(seconds=60)
        legacy_running = Story(status=StoryStatus.RUNNING, started_at=started, engine="fake")
        legacy = [Story(owner_id=None, engine="fake") for _ in range(2)]
        resumed = Story(owner_id=admin.id, engine="fake", started_at=started)
        mine = Story(owner_id=admin.id, engine="fake")
        db.session.add_all([legacy_running, *legacy, resumed, mine])
        db.session.commit()
        order = claim_order().subquery()
        ids = list(db.session.scalars(select(order.c.id).order_by(order.c.place)))
        # The resumed story first. Then rank 1: the admin's next story (behind the
        # resumed one) and the first story without an owner (one of theirs is running);
        # the admin, never served, goes first. Then rank 2.
        assert ids == [resumed.id, mine.id, legacy[0].id, legacy[1].id]
        db.session.remove()


def test_an_account_with_as_many_stories_as_allowed_gets_429(
    client: FlaskClient, family_b: FlaskClient, fake_engine: FakeEngine
) -> None:
    done = write(client, fake_engine, MOON)
    fake_engine.enqueue(PIECES, pause_after=1)
    running = ask(client)
    wait_for(client, running["id"], "running")
    ask(client)
    ask(client)  # three of theirs: the default limit
    before = story_count(client.application)

    refused = client.post("/api/stories", json={"prompt": "One more"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    error = refused.json["error"]
    assert error["code"] == "too_many_stories"
    assert "3 of your stories are already waiting or being written" in error["message"]
    assert "wait for one of them to end" in error["message"]
    assert error["details"] == {"stories": 3, "limit": 3}
    again = client.post(f"/api/stories/{done['id']}/regenerate")
    assert again.status_code == 429
    assert again.json["error"]["code"] == "too_many_stories"
    more = client.post(f"/api/stories/{done['id']}/continue")
    assert more.status_code == 429
    assert more.json["error"]["code"] == "too_many_stories"
    assert story_count(client.application) == before  # nothing saved
    assert client.get(f"/api/stories/{done['id']}").json["status"] == "done"

    assert ask(family_b)["status"] == "queued"  # another family still may
    fake_engine.release()


def test_the_limit_is_a_setting(client: FlaskClient, fake_engine: FakeEngine) -> None:
    assert client.get("/api/settings").json["max_stories_per_account"] == 3
    assert client.patch("/api/settings", json={"max_stories_per_account": 1}).status_code == 200
    fake_engine.enqueue(PIECES, pause_after=1)
    running = ask(client)
    refused = client.post("/api/stories", json={"prompt": "A second one"})
    assert refused.status_code == 429
    message = refused.json["error"]["message"]
    assert "1 of your stories is already waiting or being written" in message
    fake_engine.release()
    wait_for(client, running["id"], "done")
    assert ask(client)["status"] in ("queued", "running")  # room again once it ended


def test_the_place_and_the_wait_reach_the_story_and_its_events(
    client: FlaskClient, family_b: FlaskClient, fake_engine: FakeEngine, admin: Account
) -> None:
    # The fake engine wrote 10 tokens a second, half of its max_tokens.
    measured(client.application, admin, (100, 10.0, 200), (300, 30.0, 600))
    fake_engine.enqueue(PIECES, pause_after=1)
    running = ask(client, length="medium")  # 600 max_tokens: about 30 s at that pace
    wait_for(client, running["id"], "running")
    queued = ask(client, length="short")
    assert queued["queue_position"] == 1
    assert 25 <= queued["wait_seconds"] <= 30
    assert client.get(f"/api/stories/{running['id']}").json["wait_seconds"] is None

    # Another family's first story goes before this family's second one.
    other = ask(family_b, length="long")  # 1100 max_tokens: about 55 s
    assert other["queue_position"] == 1
    assert 25 <= other["wait_seconds"] <= 30
    story = client.get(f"/api/stories/{queued['id']}").json
    assert story["queue_position"] == 2
    assert 25 + 55 <= story["wait_seconds"] <= 30 + 55

    events = read_events(client, queued["id"], stop_after_texts=0)
    status = next(e.data for e in events if e.event == "status")
    assert status["status"] == "queued"
    assert status["queue_position"] == 2
    assert 25 + 55 <= status["wait_seconds"] <= 30 + 55
    fake_engine.release()


def test_a_wait_is_the_work_ahead_over_the_measured_speed() -> None:
    speeds = {"local": Speed(tokens_per_second=10, tokens_per_story=200, share_used=0.5)}
    # Two queued stories of 600 max_tokens: 300 tokens each at 10 a second.
    assert estimate_wait([Work("local", 600), Work("local", 600)], speeds, workers=1) == 60
    # A story that has been written for 20 of its 30 seconds leaves 10.
    assert estimate_wait([Work("local", 600, running_for=20.0)], speeds, workers=1) == 10
    assert estimate_wait([Work("local", 600, running_for=45.0)], speeds, workers=1) == 0
    # Two workers share the work; a story of unknown length takes the average story.
    assert estimate_wait([Work("local", 600), Work("local", None)], speeds, workers=2) == 25
    # An engine not measured yet goes at the measured ones' pace.
    assert estimate_wait([Work("remote", 600)], speeds, workers=1) == 30
    assert estimate_wait([], speeds, workers=1) == 0
    assert estimate_wait([Work("local", 600)], {}, workers=1) is None


def test_the_speed_is_measured_on_recent_whole_runs(app: Flask, admin: Account) -> None:
    measured(app, admin, (100, 10.0, 200), (300, 30.0, 600))
    with app.app_context(), write_intent():
        ended = utcnow()
        # A continued story counts tokens of two runs over its last run's seconds,
        # and a failed one wrote nothing to its end: neither is measured.
        db.session.add_all(
            [
                Story(
                    owner_id=admin.id,
                    engine="fake",
                    status=StoryStatus.DONE,
                    completion_tokens=900,
                    started_at=ended - timedelta(seconds=1),
                    finished_at=ended,
                    request=StoryRequest(max_tokens=600, continued=1),
                ),
                Story(
                    owner_id=admin.id,
                    engine="fake",
                    status=StoryStatus.FAILED,
                    completion_tokens=900,
                    started_at=ended - timedelta(seconds=1),
                    finished_at=ended,
                ),
            ]
        )
        db.session.commit()
        speeds = measured_speeds(["fake", "never-used"])
        db.session.remove()
    assert set(speeds) == {"fake"}
    assert speeds["fake"].tokens_per_second == pytest.approx(10.0)
    assert speeds["fake"].tokens_per_story == pytest.approx(200.0)
    assert speeds["fake"].share_used == pytest.approx(0.5)


def queued_stories(app: Flask, owner: Account, count: int) -> list[int]:
    """Queue ``count`` stories of ``owner`` straight in the database; their ids."""
    with app.app_context(), write_intent():
        stories = [Story(owner_id=owner.id, engine="fake") for _ in range(count)]
        db.session.add_all(stories)
        db.session.commit()
        ids = sorted(story.id for story in stories)
        db.session.remove()
    return ids


def test_workers_claiming_at_once_each_take_a_different_story(app: Flask, admin: Account) -> None:
    ids = queued_stories(app, admin, 3)
    start = threading.Barrier(2)
    claimed: list[int] = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            job = claim_next("test-worker")
            if job is not None:
                claimed.append(job.story_id)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(claimed) == ids[:2]


def test_a_story_another_worker_is_claiming_is_skipped_for_the_next(
    app: Flask, admin: Account
) -> None:
    ids = queued_stories(app, admin, 2)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite claims one at a time (BEGIN IMMEDIATE): no row is ever locked")
        with db.engine.connect() as other:
            other.execute(select(Story.id).where(Story.id == ids[0]).with_for_update())
            job = claim_next("test-worker")
            assert job is not None
            assert job.story_id == ids[1]
        db.session.remove()
