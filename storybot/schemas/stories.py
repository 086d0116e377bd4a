"""Request and response models of stories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from storybot.messages import rule_error
from storybot.schemas.common import (
    BLANK,
    NOT_BLANK,
    DbCount,
    DbId,
    Patch,
    Query,
    Strict,
    key_schema,
)
from storybot.schemas.profiles import Furigana, KanjiGrade, Language
from storybot.schemas.tones import Tone

Length = Literal["short", "medium", "long"]
Status = Literal["queued", "running", "done", "failed", "cancelled", "interrupted", "incomplete"]
MAX_VARIABLE_NAME = 64
VariableName = Annotated[str, StringConstraints(max_length=MAX_VARIABLE_NAME)]
# A value's type and length are checked against the prompt's variable when the story is
# asked for (templates.render, with a message that names it); this bound only keeps a
# request small.
VariableValue = Annotated[str, StringConstraints(max_length=1000)] | int | float | bool | None


# The rule of _one_prompt, for the document: a prompt_id (and a prompt left out, null or
# blank), or a prompt with words in it (and no prompt_id, no variables).
_ONE_PROMPT: dict[str, Any] = {
    "oneOf": [
        {
            "required": ["prompt_id"],
            "properties": {
                "prompt_id": {"type": "integer"},
                "prompt": {
                    "anyOf": [
                        {"type": "null"},
                        {"type": "string", "maxLength": 2000, "pattern": BLANK},
                    ]
                },
            },
        },
        {
            "required": ["prompt"],
            "properties": {
                "prompt": {"type": "string", "maxLength": 2000, "pattern": NOT_BLANK},
                "prompt_id": {"type": "null"},
                "variables": {"maxProperties": 0},
            },
        },
    ]
}


class StoryCreate(Strict):
    """Ask for a story: a prompt from the library (with its variables) or free text."""

    model_config = ConfigDict(json_schema_extra=_ONE_PROMPT)

    prompt_id: DbId | None = Field(default=None, description="A prompt from the library.")
    variables: dict[VariableName, VariableValue] = Field(
        default_factory=dict,
        max_length=30,
        json_schema_extra=key_schema(max_length=MAX_VARIABLE_NAME),
        description="Values of the prompt's template variables.",
    )
    prompt: str | None = Field(
        default=None, min_length=1, max_length=2000, description="Free text, instead of a prompt."
    )
    profile_id: DbId | None = Field(default=None, description="The reader the story is for.")
    length: Length | None = None
    tone: Tone | None = Field(default=None, description="Default: the setting.")
    moral: str | None = Field(default=None, max_length=200)
    language: Language | None = Field(
        default=None, description="Default: the reader's language, else the default setting."
    )
    engine: str | None = Field(default=None, max_length=64, description="Default: the setting.")

    @model_validator(mode="after")
    def _one_prompt(self) -> Self:
        if (self.prompt_id is None) == (self.prompt is None or not self.prompt.strip()):
            raise rule_error("one_prompt")
        if self.variables and self.prompt_id is None:
            raise rule_error("variables_without_prompt")
        return self


class StoryUpdate(Patch):
    """What an adult may correct: the title, the text, the favourite mark."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    text: str | None = Field(default=None, max_length=100_000)
    favourite: bool | None = None


class StoryOut(BaseModel):
    """A story as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    uuid: str
    status: Status
    title: str
    text: str = Field(description="Everything the model wrote, as streamed (title line too).")
    body: str = Field(description="The text without its title line, for reading.")
    language: str
    reader_name: str
    profile_id: int | None
    prompt_id: int | None
    request: dict[str, Any]
    messages: list[dict[str, str]]
    engine: str
    model: str
    favourite: bool
    failure_code: str | None
    failure_reason: str | None = Field(description="The failure in English words.")
    failure_params: dict[str, str | int | float] | None = Field(
        description="What failure_reason is worded with: with failure_code, a client words "
        "the failure in its own language (docs/api.md, 'Messages')."
    )
    trace_id: str | None
    queue_position: int | None = Field(
        description="While queued: the stories that will be written before this one (those "
        "being written, and those queued ahead of it in the queue's fair order)."
    )
    wait_seconds: int | None = Field(
        description="While queued: about how many seconds until it starts, from the measured "
        "speed of recent stories; null when it is not queued or nothing was measured yet."
    )
    resumes: int = Field(
        description="Times the story went on by itself from its saved text after the "
        "process writing it stopped (once at most; a second stop ends it interrupted)."
    )
    last_seq: int = Field(description="The id of the last text event saved.")
    prompt_tokens: int | None
    completion_tokens: int | None
    queue_wait_seconds: float | None
    first_text_seconds: float | None
    duration_seconds: float | None
    reading_grade: float | None = Field(
        description="The measured reading level of the text, as a school grade (1-12); "
        "null while it is written or when the text is too short to measure."
    )
    target_grade: float | None = Field(
        description="The reader's target grade when the story was asked for (from the age "
        "and reading level); null without a reader."
    )
    queued_at: datetime
    started_at: datetime | None
    first_text_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class StorySummary(BaseModel):
    """A story in the library list (without its messages)."""

    id: int
    status: Status
    title: str
    excerpt: str
    language: str
    reader_name: str
    profile_id: int | None
    favourite: bool
    reading_grade: float | None = Field(description="As in the story: the measured level.")
    target_grade: float | None = Field(description="As in the story: the reader's target.")
    created_at: datetime


class StoryPage(BaseModel):
    """One page of stories, newest first."""

    items: list[StorySummary]
    total: int
    next_cursor: str | None


class StoryListQuery(Query):
    """Filters of the story library."""

    q: str | None = Field(default=None, max_length=200, description="Words in title or text.")
    profile_id: DbId | None = None
    status: Status | None = None
    favourite: bool | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=100)


class StoryPath(BaseModel):
    """The story id in the URL."""

    story_id: DbId


class EventsQuery(Query):
    """Where to resume an event stream (a reloaded EventSource cannot send Last-Event-ID)."""

    after: DbCount | None = None


class FuriganaQuery(Query):
    """How to show kanji; left out, the reader's own setting."""

    furigana: Furigana | None = Field(default=None, description="Default: the reader's.")
    kanji_grade: KanjiGrade | None = Field(
        default=None, description="For 'above_grade'. Default: the reader's, else from the age."
    )


class ExportQuery(FuriganaQuery):
    """The export format, and how kanji are shown in a Japanese story."""

    format: Literal["markdown", "epub", "html"] = "markdown"


class RubySegment(BaseModel):
    """A piece of the story's text, with its reading in hiragana when it gets one."""

    text: str
    reading: str | None


class StoryFurigana(BaseModel):
    """The body of a story cut into pieces with readings, for ruby (``<ruby>``)."""

    furigana: Furigana = Field(description="The mode applied ('none' for other languages).")
    kanji_grade: int | None = Field(description="The grade applied for 'above_grade'.")
    segments: list[RubySegment] = Field(
        description="The pieces in order; their texts joined are the body (in 'hiragana' "
        "mode, with the kanji written out), up to source_length characters of it."
    )
    source_length: int = Field(
        description="How many characters of the body the segments cover: all of it once "
        "the story has ended, up to its last complete sentence while it is written."
    )
    complete: bool = Field(description="Whether the story has ended (nothing more will come).")
