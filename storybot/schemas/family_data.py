"""The document inside a reader's export (``reader.json``), and what a data deletion removed."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, Field

from storybot.schemas.profiles import ProfileOut
from storybot.schemas.stories import Status

EXPORT_FORMAT: Final = "storybot-reader"
EXPORT_VERSION: Final = 1


class ExportedStory(BaseModel):
    """One story of the reader, as it stands in ``reader.json``."""

    id: int
    uuid: str
    status: Status
    title: str
    text: str = Field(description="The story's text without its title line.")
    language: str
    reader_name: str = Field(description="The reader's name when the story was asked for.")
    prompt: str = Field(description="What the story was asked for, as the model was told.")
    length: str | None
    tone: str | None
    moral: str | None
    favourite: bool
    reading_grade: float | None = Field(description="The measured reading level (school grade).")
    target_grade: float | None = Field(description="The reader's target grade at the time.")
    engine: str
    model: str
    created_at: datetime
    finished_at: datetime | None
    updated_at: datetime
    epub: str | None = Field(description="The story's EPUB inside the zip, when it has text.")


class ReaderExportDocument(BaseModel):
    """``reader.json``: the reader's profile and every story written for them."""

    format: Literal["storybot-reader"] = EXPORT_FORMAT
    version: Literal[1] = EXPORT_VERSION
    exported_at: datetime
    reader: ProfileOut
    stories: list[ExportedStory] = Field(description="Oldest first.")


class DeletedData(BaseModel):
    """How many rows of each kind a deletion removed."""

    stories: int = 0
    story_pieces: int = 0
    readers: int = 0
    prompts: int = 0
    accounts: int = 0
