"""A story as the API shows it: its fields, its live text while written, its timings."""

from __future__ import annotations

from typing import Any

from storybot.jobs.pieces import next_seq, saved_text
from storybot.jobs.queue import QueuePlace, queue_place
from storybot.models import Story, StoryStatus
from storybot.pipeline.titles import split_title
from storybot.schemas.tones import tone_code
from storybot.services.components import components


def story_view(story: Story, *, new: bool = False) -> dict[str, Any]:
    """The fields of the API's story resource, live text included while it is written.

    ``new``: the story was created by this request and has no text yet.
    """
    live = story.status in (StoryStatus.QUEUED, StoryStatus.RUNNING)
    if new:
        full_text, last_seq = "", 0
    elif live:
        full_text, last_seq = saved_text(story.id)
    else:
        full_text, last_seq = story.text, next_seq(story.id) - 1
    title, body = split_title(full_text)

    def seconds(a: Any, b: Any) -> float | None:
        return round((b - a).total_seconds(), 3) if a and b else None

    place = place_in_queue(story.id) if story.status == StoryStatus.QUEUED else None
    request = story.request.stored()
    if isinstance(request.get("tone"), str):  # an older story's chip word reads as its code
        request["tone"] = tone_code(request["tone"])
    return {
        **{c.key: getattr(story, c.key) for c in Story.__table__.columns},
        "request": request,
        "status": story.status.value,
        "title": story.title or title or "",
        "text": full_text,
        "body": body,
        "queue_position": place.position if place else None,
        "wait_seconds": place.wait_seconds if place else None,
        "last_seq": last_seq,
        "queue_wait_seconds": seconds(story.queued_at, story.started_at),
        "first_text_seconds": seconds(story.started_at, story.first_text_at),
        "duration_seconds": seconds(story.started_at, story.finished_at),
        "target_grade": story_target_grade(story),
    }


def place_in_queue(story_id: int) -> QueuePlace | None:
    """Where a queued story stands in the fair order, its wait shared among the
    runner's workers (None when it is not queued)."""
    return queue_place(story_id, components().settings.generation_workers)


def current_body(story: Story) -> str:
    """The story's text without its title line, as written so far (as in :func:`story_view`)."""
    live = story.status in (StoryStatus.QUEUED, StoryStatus.RUNNING)
    return split_title(saved_text(story.id)[0] if live else story.text)[1]


def story_target_grade(story: Story) -> float | None:
    """The reader's target grade saved when the story was asked for (None without a reader)."""
    return story.request.target_grade
