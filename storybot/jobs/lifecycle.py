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

from storybot.database import write_intent
from storybot.engines.base import Finish
from storybot.extensions import db
from storybot.jobs.pieces import joined_text
from storybot.jobs.usage import record_usage
from storybot.messages import with_cause, word
from storybot.models import Story, StoryStatus, utcnow
from storybot.pipeline.titles import fallback_title, split_title
from storybot.quality.reading_level import measure_grade


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


def _ending(story_id: int, writer: str | None) -> Story | None:
    """The story to end, if ``writer`` still writes it (None: whoever does).

    A writer thought gone may come back after its story was taken over: the
    story is its new writer's to end, and the old one's end is dropped.
    """
    story = db.session.get(Story, story_id)
    if story is None or (writer is not None and story.writer_id != writer):
        return None
    story.writer_id = None
    return story


def finish(
    story_id: int, result: Finish, title: str | None = None, *, writer: str | None = None
) -> bool:
    """Mark a story done, incomplete (it stopped before its ending) or cancelled,
    with its usage and the title written for it. False if it was not ``writer``'s."""
    with write_intent():
        story = _ending(story_id, writer)
        if story is None:
            db.session.rollback()
            return False
        settle_text(story, title)
        story.status = ENDS[result.reason]
        story.prompt_tokens = result.prompt_tokens
        story.completion_tokens = (story.completion_tokens or 0) + result.completion_tokens
        story.finished_at = utcnow()
        record_usage(story.owner_id, result.prompt_tokens + result.completion_tokens)
        db.session.commit()
    return True


def fail(
    story_id: int,
    code: str,
    reason: str,
    params: Mapping[str, Any] | None = None,
    *,
    writer: str | None = None,
) -> bool:
    """Mark a story failed with a reason a person understands; its text so far stays.

    ``params`` are what ``reason`` is worded with (storybot.messages). False if
    it was not ``writer``'s.
    """
    with write_intent():
        story = _ending(story_id, writer)
        if story is None:
            db.session.rollback()
            return False
        settle_text(story)
        story.status = StoryStatus.FAILED
        story.failure_code = code
        story.failure_reason = reason
        story.failure_params = dict(params) if params else None
        story.finished_at = utcnow()
        db.session.commit()
    return True


def cancelled(story: Story) -> None:
    """End a story that was cancelled while its writer was gone (in the caller's write
    transaction): cancelled, its text kept."""
    settle_text(story)
    story.status = StoryStatus.CANCELLED
    story.writer_id = None
    story.finished_at = utcnow()


def interrupt(story: Story, cause: str) -> None:
    """End a story whose writer is gone as ``interrupted``, its text kept (in the caller's
    write transaction). ``cause``: "restart" (it is not to go on by itself) or
    "writer_lost" (its writer stopped again after it was resumed)."""
    settle_text(story)
    params = with_cause(cause)
    story.status = StoryStatus.INTERRUPTED
    story.writer_id = None
    story.failure_code = "interrupted"
    story.failure_reason = word("interrupted", params)
    story.failure_params = dict(params)
    story.finished_at = utcnow()
