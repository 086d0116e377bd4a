"""Helpers of the story tests: asking for stories, waiting for them, reading their events."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import StoryPiece

FINAL = {"done", "failed", "cancelled", "interrupted", "deleted"}


@dataclass
class Event:
    """One parsed SSE message."""

    event: str
    data: Any
    id: int | None


def parse(chunk: str) -> list[Event]:
    """The events in a chunk of an SSE body (comments and retry lines skipped)."""
    events = []
    for block in chunk.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            fields[key] = value
        if "data" in fields:
            events.append(
                Event(
                    fields.get("event", "message"),
                    json.loads(fields["data"]),
                    int(fields["id"]) if "id" in fields else None,
                )
            )
    return events


def read_events(
    client: FlaskClient,
    story_id: int,
    *,
    after: int | None = None,
    last_event_id: int | None = None,
    stop_after_texts: int | None = None,
) -> list[Event]:
    """Read the stream until its final event (or ``stop_after_texts`` text events)."""
    url = f"/api/stories/{story_id}/events" + (f"?after={after}" if after is not None else "")
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    response = client.get(url, headers=headers, buffered=False)
    assert response.status_code == 200, response.get_data(as_text=True)
    return read_stream(response, stop_after_texts=stop_after_texts)


def read_stream(response: TestResponse, *, stop_after_texts: int | None = None) -> list[Event]:
    """The events of an open event stream until its final event (or ``stop_after_texts``)."""
    assert response.mimetype == "text/event-stream"
    events: list[Event] = []
    try:
        for chunk in response.response:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            for event in parse(text):
                events.append(event)
                if event.event in FINAL:
                    return events
                texts = sum(1 for e in events if e.event == "text")
                if stop_after_texts is not None and texts >= stop_after_texts:
                    return events
    finally:
        response.close()
    return events


def joined(events: list[Event]) -> str:
    """The text of the text events, joined."""
    return "".join(e.data["text"] for e in events if e.event == "text")


def ask(client: FlaskClient, prompt: str = "A trip to the moon", **body: object) -> dict:
    """POST a story request; assert it was accepted; return the story."""
    response = client.post("/api/stories", json={"prompt": prompt, **body})
    assert response.status_code == 202, response.json
    return response.json


def wait_for(client: FlaskClient, story_id: int, *statuses: str, timeout: float = 10) -> dict:
    """Poll the story until its status is one of ``statuses``; return it."""
    deadline = time.monotonic() + timeout
    story: dict = {}
    while time.monotonic() < deadline:
        story = client.get(f"/api/stories/{story_id}").json
        if story["status"] in statuses:
            return story
        time.sleep(0.02)
    raise AssertionError(f"story {story_id} is {story.get('status')}, not {statuses}")


MOON = ["Title: Mia and the Moon\n\n", "Once upon a time, ", "Mia flew ", "to the moon."]


def write(client: FlaskClient, fake_engine: FakeEngine, pieces: list[str], **body: object) -> dict:
    """A finished story whose text is ``pieces``."""
    fake_engine.enqueue(pieces)
    story = ask(client, **body)
    return wait_for(client, story["id"], "done")


def titled(title: str, body: str) -> list[str]:
    """A story's pieces: a title line, then the body."""
    return [f"Title: {title}\n\n", body]


def search(client: FlaskClient, q: str) -> list[str]:
    """The titles the library search finds for ``q``."""
    response = client.get("/api/stories", query_string={"q": q})
    assert response.status_code == 200, response.json
    page = response.json
    assert page["total"] == len(page["items"])
    return [s["title"] for s in page["items"]]


def piece_count(client: FlaskClient, story_id: int) -> int:
    """How many text pieces of the story are saved."""
    with client.application.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(StoryPiece).where(StoryPiece.story_id == story_id)
        )
        db.session.remove()
    return int(count or 0)
