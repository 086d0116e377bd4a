"""Stories and the numbered pieces of their text."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storybot.extensions import db
from storybot.models.story_request import StoryRequest, StoryRequestJSON
from storybot.models.types import UTCDateTime, utcnow


class StoryStatus(enum.StrEnum):
    """Where a story is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    INCOMPLETE = "incomplete"  # stopped at its length limit before its ending

    @property
    def is_final(self) -> bool:
        """True once nothing more will be written (until someone continues it)."""
        return self not in (StoryStatus.QUEUED, StoryStatus.RUNNING)


class Story(db.Model):  # type: ignore[name-defined,misc]
    """A story: its inputs, the messages the model got, its text, status and timings."""

    __tablename__ = "story"
    # Ids are never reused on SQLite either: a deleted story's address (or a
    # runner still finishing it) must never reach a newer one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    # The account that owns it; NULL only for data from before accounts, until the
    # first admin is created and takes it.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profile.id", ondelete="SET NULL"), index=True
    )
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("prompt.id", ondelete="SET NULL"), index=True
    )
    reader_name: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[StoryStatus] = mapped_column(
        Enum(StoryStatus, name="story_status", values_callable=lambda e: [m.value for m in e]),
        default=StoryStatus.QUEUED,
        index=True,
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    request: Mapped[StoryRequest] = mapped_column(StoryRequestJSON, default=lambda: StoryRequest())
    messages: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    engine: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    favourite: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # The process writing it while it runs (story_worker.id), and the times it went on
    # by itself after its writer stopped (storybot.jobs.heartbeat).
    writer_id: Mapped[str | None] = mapped_column(String(80), index=True)
    resumes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure_code: Mapped[str | None] = mapped_column(String(32))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # What the failure's message is worded with, for the UI to word it in its language.
    failure_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    trace_id: Mapped[str | None] = mapped_column(String(64))
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    reading_grade: Mapped[float | None] = mapped_column(Float)  # measured, as a school grade
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_text_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StoryPiece(db.Model):  # type: ignore[name-defined,misc]
    """One piece of a story's text as the model wrote it; ``seq`` is its SSE event id."""

    __tablename__ = "story_piece"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
