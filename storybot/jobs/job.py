"""A job: what writing one story needs, read from the story when it starts running."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from storybot.engines.base import GenerationOptions, Message
from storybot.jobs.pieces import joined_text
from storybot.models import Story
from storybot.pipeline.writer import StoryPlan


@dataclass(frozen=True)
class Job:
    """What writing a story needs, read when the story becomes ``running``."""

    story_id: int
    engine: str
    plan: StoryPlan
    trace_id: str | None
    next_seq: int

    @classmethod
    def of(cls, story: Story, next_seq: int) -> Job:
        """The job of a story (before its transaction ends: no reload).

        A story with saved text (one continued, or resumed after its writer
        stopped) is written on from it.
        """
        request = story.request
        text_so_far = joined_text(story.id) if next_seq > 1 else ""
        options = GenerationOptions(max_tokens=request.max_tokens) if request.max_tokens else None
        plan = StoryPlan(
            messages=cast(list[Message], list(story.messages)),
            options=options or GenerationOptions(),
            words=request.words,
            language=story.language,
            request_text=request.prompt_text,
            text_so_far=text_so_far,
            opening=request.opening,
            needs_title=not story.title,
        )
        return cls(story.id, story.engine, plan, story.trace_id, next_seq)
