"""The ends of a generation: done, cancelled, failed, or interrupted by a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from storybot.database import write_intent
from storybot.engines.base import Finish
from storybot.extensions import db
from storybot.jobs.pieces import joined_text
from storybot.models import Story, StoryStatus, utcnow
from storybot.quality.reading_level import measure_grade
from storybot.services.composition import fallback_title, split_title

RESTART_REASON = "The server stopped while this story was being written; the text so far is kept."


def _settle_text(story: Story) -> None:
    """Keep the joined pieces as the story's text and give it a title."""
    story.text = joined_text(story.id)
    story.reading_grade = measure_grade(split_title(story.text)[1], story.language)
    if story.title:
        return  # a title an adult gave (or an earlier run found) stays
    title, _ = split_title(story.text)
    if title:
        story.title = title
    else:
        story.title = fallback_title(
            str(story.request.get("prompt_text", "")), story.reader_name, story.language
        )


def finish(story_id: int, result: Finish) -> None:
    """Mark a story done (or cancelled) with its usage."""
    with write_intent():
        story = db.session.get(Story, story_id)
        if story is None:
            return
        _settle_text(story)
        story.status = StoryStatus.CANCELLED if result.reason == "cancelled" else StoryStatus.DONE
        story.prompt_tokens = result.prompt_tokens
        story.completion_tokens = (story.completion_tokens or 0) + result.completion_tokens
        story.finished_at = utcnow()
        if result.reason == "length" and story.status == StoryStatus.DONE:
            story.failure_code = "length"
            story.failure_reason = (
                "The story reached its length limit and may end abruptly; "
                "'Continue' writes on from here."
            )
        db.session.commit()


def fail(story_id: int, code: str, reason: str, params: Mapping[str, Any] | None = None) -> None:
    """Mark a story failed with a reason a person understands; its text so far stays.

    ``params`` are what ``reason`` is worded with (storybot.messages).
    """
    with write_intent():
        story = db.session.get(Story, story_id)
        if story is None:
            return
        _settle_text(story)
        story.status = StoryStatus.FAILED
        story.failure_code = code
        story.failure_reason = reason
        story.failure_params = dict(params) if params else None
        story.finished_at = utcnow()
        db.session.commit()


def recover_interrupted() -> int:
    """Stories left ``running`` by a crash become ``interrupted``; run once before serving."""
    with write_intent():
        stories = list(db.session.scalars(select(Story).where(Story.status == StoryStatus.RUNNING)))
        for story in stories:
            _settle_text(story)
            story.status = StoryStatus.INTERRUPTED
            story.failure_code = "interrupted"
            story.failure_reason = RESTART_REASON
            story.failure_params = {"cause": "restart"}
            story.finished_at = utcnow()
        db.session.commit()
    return len(stories)
