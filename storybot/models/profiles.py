"""Reader profiles: who a story is for."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storybot.extensions import db
from storybot.models.types import UTCDateTime, utcnow


class Profile(db.Model):  # type: ignore[name-defined,misc]
    """A reader: a child's name, age, interests, language and reading level."""

    __tablename__ = "profile"
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
    name: Mapped[str] = mapped_column(String(60))
    age: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="en")
    reading_level: Mapped[str] = mapped_column(String(20), default="developing")
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    favourite_things: Mapped[list[str]] = mapped_column(JSON, default=list)
    things_to_avoid: Mapped[list[str]] = mapped_column(JSON, default=list)
    avatar: Mapped[str] = mapped_column(String(16), default="")
    # How kanji are shown: "none" (as written), "all", "above_grade" or "hiragana".
    furigana: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    kanji_grade: Mapped[int | None] = mapped_column(Integer)  # 1-6, for "above_grade"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
