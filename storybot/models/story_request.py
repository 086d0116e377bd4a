"""What a story was asked for, kept with it: the request, composed, as one typed value.

Stored as JSON in ``story.request`` and read back as a :class:`StoryRequest`,
so the runner, the library and the exports read attributes, not string keys.
Keys a newer or older Storybot wrote that this one does not know are kept
(``extra="allow"``): a row read and saved again loses nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, TypeDecorator
from sqlalchemy.engine import Dialect

DEFAULT_WORDS = 250  # the length of a story saved before lengths were kept in words


class StoryRequest(BaseModel):
    """A story's request: what was asked (as the API took it) and what was composed from it."""

    model_config = ConfigDict(extra="allow", frozen=True)

    # As asked (the fields of POST /api/stories that were given).
    prompt_id: int | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    prompt: str | None = None
    profile_id: int | None = None
    moral: str | None = None
    engine: str | None = None
    # As composed.
    prompt_text: str = ""
    language: str | None = None
    length: str | None = None
    tone: str | None = None  # a code; an older story's chip word (read by the library)
    words: int = DEFAULT_WORDS
    opening: str = ""
    max_tokens: int | None = None
    target_grade: float | None = None  # the reader's target when it was asked for
    # Its history.
    regenerated_from: int | None = None
    continued: int = 0  # times an adult asked for more

    @classmethod
    def from_stored(cls, value: dict[str, Any] | None) -> StoryRequest:
        """Read a stored request, as every version of Storybot wrote it."""
        data = dict(value or {})
        options = data.pop("options", None)  # before max_tokens had a field of its own
        if isinstance(options, dict) and "max_tokens" not in data:
            data["max_tokens"] = options.get("max_tokens")
        data.pop("first_messages", None)  # written by no version; read by an early one
        return cls.model_validate(data)

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the database, and shown by the API (fields at None left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class StoryRequestJSON(TypeDecorator[StoryRequest]):
    """A JSON column read as a :class:`StoryRequest` (and written from one)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: StoryRequest | dict[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any]:
        """Store a request (a dict is read as one first, so it is checked the same)."""
        if value is None:
            return {}
        if isinstance(value, dict):
            value = StoryRequest.from_stored(value)
        return value.stored()

    def process_result_value(self, value: dict[str, Any] | None, dialect: Dialect) -> StoryRequest:
        """Read the stored JSON as a request."""
        return StoryRequest.from_stored(value)
