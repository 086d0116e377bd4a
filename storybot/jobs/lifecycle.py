"""The ends of a story's writing: done, incomplete, cancelled, failed, interrupted.

Everything that ends a story calls these: the runner when the model stops or
fails, and the sweep that finds a story whose writer is gone. They live in a
module of their own (as rq's ``job_lifecycle`` does) so that the queue can end
a story without importing the runner, and each end settles the text the same
way: the saved pieces joined, the reading level measured, a title found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from storybot.database import write_intent
from storybot.engines.base import Finish
from storybot.extensions import db
from storybot.jobs.pieces import joined_text
from storybot.jobs.usage import record_usage
from storybot.models import Story, StoryStatus, utcnow
from storybot.pipeline.titles import fallback_title, split_title
from storybot.quality.reading_level import measure_grade

RESTART_REASON = "The server stopped while this story was being written; the text so far is kept."


def settle_text(story: Story, title: str | None = None) -> None:
    """Keep the joined pieces as the story's text and give it a title: the one
    written for it, else a title line in its text, else one from its request."""
    story.text = joined_text(story.id)
    story.reading_grade = measure_grade(split_title(story.text)[1], story.language)
    if story.title:
        return  # a title an adult gave (or an earlier run found) stays
    written, _ = split_title(story.text)
    if title or written:
        story.title = (title or written or "")[:200]
    else:
        story.title = fallback_title(story.request.prompt_text, story.reader_name, story.language)


ENDS = {
    "stop": StoryStatus.DONE,
    "length": StoryStatus.INCOMPLETE,  # stopped at its limit before its ending
    "cancelled": StoryStatus.CANCELLED,
}


def finish(story_id: int, result: Finish, title: str | None = None) -> None:
    """Mark a story done, incomplete (it stopped before its ending) or cancelled,
    with its usage and the title written for it."""
    with write_intent():
        story = db.session.get(Story, story_id)
        if story is None:
            return
        settle_text(story, title)
        story.status = ENDS[result.reason]
        story.prompt_tokens = result.prompt_tokens
        story.completion_tokens = (story.completion_tokens or 0) + result.completion_tokens
        story.finished_at = utcnow()
        record_usage(story.owner_id, result.prompt_tokens + result.completion_tokens)
        db.session.commit()


def fail(story_id: int, code: str, reason: str, params: Mapping[str, Any] | None = None) -> None:
    """Mark a story failed with a reason a person understands; its text so far stays.

    ``params`` are what ``reason`` is worded with (storybot.messages).
    """
    with write_intent():
        story = db.session.get(Story, story_id)
        if story is None:
            return
        settle_text(story)
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
            settle_text(story)
            story.status = StoryStatus.INTERRUPTED
            story.failure_code = "interrupted"
            story.failure_reason = RESTART_REASON
            story.failure_params = {"cause": "restart"}
            story.finished_at = utcnow()
        db.session.commit()
    return len(stories)
