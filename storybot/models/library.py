"""The prompt library and runtime settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storybot.extensions import db
from storybot.models.types import UTCDateTime, utcnow


class Prompt(db.Model):  # type: ignore[name-defined,misc]
    """A story prompt in the library, optionally with typed template variables."""

    __tablename__ = "prompt"
    # Ids are never reused on SQLite either: a deleted story's address (or a
    # runner still finishing it) must never reach a newer one.
    # A prompt's UUID is unique within its account: importing one library into two
    # accounts gives each its own copy.
    __table_args__ = (UniqueConstraint("owner_id", "uuid"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    # The account that owns it; NULL only for data from before accounts, until the
    # first admin is created and takes it.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    variables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Setting(db.Model):  # type: ignore[name-defined,misc]
    """One runtime setting that an admin may change while Storybot runs."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
