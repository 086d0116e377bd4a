"""The processes that write stories, and when each last showed it is alive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storybot.extensions import db
from storybot.models.types import UTCDateTime, utcnow


class StoryWorker(db.Model):  # type: ignore[name-defined,misc]
    """A process with a story runner: it beats every few seconds while it lives.

    A running story names its writer (``story.writer_id``); a story whose writer
    stopped beating, or whose process on this host is gone, is taken over.
    """

    __tablename__ = "story_worker"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # host:pid:random
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # "serve" (threads) or "worker" (a queue worker)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
