"""Story retention: the setting, the sweep, its thread and ``storybot stories prune``.

Runs on SQLite and PostgreSQL; stories are written by the scripted fake engine.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from storybot.cli_stories import stories
from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import Story, StoryStatus, utcnow
from storybot.services.retention import RetentionJob, sweep
from tests.stories.support import ask, piece_count, read_events, titled, wait_for, write


def _age(
    app: Flask, story_id: int, days: float, *, finished: bool = True, **values: object
) -> None:
    """Make a story look as if it was asked for (and ended) ``days`` ago."""
    then = utcnow() - timedelta(days=days)
    values |= {"created_at": then, "queued_at": then}
    if finished:
        values["finished_at"] = then
    with app.app_context():
        db.session.execute(update(Story).where(Story.id == story_id).values(values))
        db.session.commit()
        db.session.remove()


def _keep_for(client: FlaskClient, days: int | None) -> None:
    response = client.patch("/api/settings", json={"story_retention_days": days})
    assert response.status_code == 200, response.json
    assert response.json["story_retention_days"] == days


def _exists(client: FlaskClient, story_id: int) -> bool:
    return bool(client.get(f"/api/stories/{story_id}").status_code == 200)


def test_stories_are_kept_forever_by_default(client: FlaskClient) -> None:
    assert client.get("/api/settings").json["story_retention_days"] is None


@pytest.mark.parametrize("days", [0, 3651, -1, "7", 2.5])
def test_the_retention_period_is_1_to_3650_days(client: FlaskClient, days: object) -> None:
    response = client.patch("/api/settings", json={"story_retention_days": days})
    assert response.status_code == 422, response.json
    assert response.json["error"]["details"][0]["field"] == "story_retention_days"


def test_the_retention_period_can_be_set_and_cleared(client: FlaskClient) -> None:
    _keep_for(client, 3650)
    _keep_for(client, 1)
    _keep_for(client, None)
    assert client.get("/api/settings").json["story_retention_days"] is None


def test_a_sweep_deletes_old_ended_stories_with_their_pieces_and_nothing_else(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine
) -> None:
    old = write(client, fake_engine, titled("Old", "Long ago."))
    old_failed = write(client, fake_engine, titled("Old and failed", "Long"))
    newer = write(client, fake_engine, titled("Newer", "Yesterday."))
    _age(app, old["id"], 3)
    _age(app, old_failed["id"], 2.01, status=StoryStatus.FAILED)
    _age(app, newer["id"], 1.9)
    fake_engine.enqueue(["Title: Slow\n\n", "Once ", "upon"], pause_after=2)
    running = ask(client)
    read_events(client, running["id"], stop_after_texts=2)
    _age(app, running["id"], 30, finished=False)  # asked long ago, still being written
    assert piece_count(client, old["id"]) > 0

    with app.app_context():
        assert sweep() == 0  # the setting keeps stories forever
    _keep_for(client, 2)
    with app.app_context():
        assert sweep() == 2
        assert sweep() == 0
        db.session.remove()

    assert not _exists(client, old["id"])
    assert not _exists(client, old_failed["id"])
    assert piece_count(client, old["id"]) == 0
    assert piece_count(client, old_failed["id"]) == 0
    assert _exists(client, newer["id"])
    assert client.get(f"/api/stories/{running['id']}").json["status"] == "running"
    fake_engine.release()
    assert wait_for(client, running["id"], "done")["text"].startswith("Title: Slow\n\nOnce upon")


def test_a_sweep_goes_through_every_old_story_in_batches(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storybot.services import family_data

    monkeypatch.setattr(family_data, "BATCH_SIZE", 2)
    made = [write(client, fake_engine, titled(f"S{i}", "x"))["id"] for i in range(5)]
    for story_id in made[:4]:
        _age(app, story_id, 10)
    with app.app_context():
        assert sweep(7) == 4
        db.session.remove()
    assert [s["id"] for s in client.get("/api/stories").json["items"]] == made[4:]


def test_the_retention_job_sweeps_when_it_starts_and_stops_when_asked(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine
) -> None:
    old = write(client, fake_engine, titled("Old", "Long ago."))
    _age(app, old["id"], 3)
    _keep_for(client, 2)
    job = RetentionJob(app, interval=3600)
    job.start()
    try:
        deadline = time.monotonic() + 10
        while _exists(client, old["id"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _exists(client, old["id"])
    finally:
        started = time.monotonic()
        job.stop()
    assert time.monotonic() - started < 2  # the hour's wait ends at once


def test_storybot_stories_prune_runs_one_sweep(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine
) -> None:
    old = write(client, fake_engine, titled("Old", "Long ago."))
    week = write(client, fake_engine, titled("A week", "Last week."))
    _age(app, old["id"], 40)
    _age(app, week["id"], 8)
    runner = app.test_cli_runner()

    result = runner.invoke(stories, ["prune"])
    assert result.exit_code == 0, result.output
    assert "kept forever" in result.output
    assert _exists(client, old["id"])

    result = runner.invoke(stories, ["prune", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 story." in result.output
    assert not _exists(client, old["id"])

    _keep_for(client, 7)
    result = runner.invoke(stories, ["prune"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 story." in result.output
    assert not _exists(client, week["id"])
