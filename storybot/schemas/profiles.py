"""Request and response models of reader profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storybot.schemas.common import (
    NOT_BLANK,
    WHOLE_NUMBER,
    DbId,
    Patch,
    ShortText,
    Strict,
)

Language = Literal["en", "ja"]
ReadingLevel = Literal["early", "developing", "confident", "advanced"]
Furigana = Literal["none", "all", "above_grade", "hiragana"]
KanjiGrade = Annotated[int, Field(ge=1, le=6), WHOLE_NUMBER]
Age = Annotated[int, Field(ge=1, le=120), WHOLE_NUMBER]

FURIGANA_DESCRIPTION = (
    "How kanji are shown to the reader: 'none' (as written), 'all' (readings over every "
    "word with kanji), 'above_grade' (readings over kanji taught after kanji_grade), "
    "'hiragana' (kanji written out in hiragana)."
)
KANJI_GRADE_DESCRIPTION = (
    "The school grade (1-6) whose kanji the reader knows, for 'above_grade'; "
    "null: from the reader's age."
)
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=NOT_BLANK)
]
Avatar = Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)]


def _items(description: str) -> object:
    return Field(default_factory=list, max_length=20, description=description)


# The rule of profile_service._check_kanji_grade, for the document.
_GRADE_FOR_ABOVE_GRADE: dict[str, Any] = {
    "if": {"required": ["furigana"], "properties": {"furigana": {"const": "above_grade"}}},
    "then": {
        "anyOf": [
            {"required": ["kanji_grade"], "properties": {"kanji_grade": {"type": "integer"}}},
            {"required": ["age"], "properties": {"age": {"type": "integer"}}},
        ]
    },
}


class ProfileCreate(Strict):
    """A new reader: 'above_grade' furigana needs kanji_grade or age."""

    model_config = ConfigDict(json_schema_extra=_GRADE_FOR_ABOVE_GRADE)

    name: Name = Field(description="What the story calls the reader.", examples=["Mia"])
    age: Age | None = Field(default=None, examples=[6])
    language: Language = "en"
    reading_level: ReadingLevel = "developing"
    interests: list[ShortText] = _items("What the reader likes: dinosaurs, space ...")  # type: ignore[assignment]
    favourite_things: list[ShortText] = _items("A favourite toy, food, place ...")  # type: ignore[assignment]
    things_to_avoid: list[ShortText] = _items("What stories must leave out: spiders, the dark ...")  # type: ignore[assignment]
    avatar: Avatar = Field(default="", description="An emoji or initial shown beside the name.")
    furigana: Furigana = Field(default="none", description=FURIGANA_DESCRIPTION)
    kanji_grade: KanjiGrade | None = Field(default=None, description=KANJI_GRADE_DESCRIPTION)


class ProfileUpdate(Patch):
    """A partial change to a reader; fields left out stay as they are (null clears the age)."""

    nullable_fields = frozenset({"age", "kanji_grade"})

    name: Name | None = None
    age: Age | None = None
    language: Language | None = None
    reading_level: ReadingLevel | None = None
    interests: list[ShortText] | None = Field(default=None, max_length=20)
    favourite_things: list[ShortText] | None = Field(default=None, max_length=20)
    things_to_avoid: list[ShortText] | None = Field(default=None, max_length=20)
    avatar: Avatar | None = None
    furigana: Furigana | None = Field(default=None, description=FURIGANA_DESCRIPTION)
    kanji_grade: KanjiGrade | None = Field(default=None, description=KANJI_GRADE_DESCRIPTION)


class ProfileOut(BaseModel):
    """A reader as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    uuid: str
    name: str
    age: int | None
    language: Language
    reading_level: ReadingLevel
    interests: list[str]
    favourite_things: list[str]
    things_to_avoid: list[str]
    avatar: str
    furigana: Furigana
    kanji_grade: int | None
    created_at: datetime
    updated_at: datetime


class ProfileList(BaseModel):
    """Every reader, by name."""

    items: list[ProfileOut]
    total: int


class ProfilePath(BaseModel):
    """The reader id in the URL."""

    profile_id: DbId
