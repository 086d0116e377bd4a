"""Request and response models of the prompt library."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from storybot.messages import rule_error
from storybot.schemas.common import NOT_BLANK, DateTimeText, DbId, Patch, Query, Strict, Tag

MAX_PROMPT_CHARS = 10_000
# A template variable's default; a value is checked again when a story fills it in.
MAX_VALUE_CHARS = 200


# For the document: the "blank" rule of _not_blank (which words the 422 itself).
NOT_BLANK_SCHEMA: dict[str, Any] = {"pattern": NOT_BLANK}

Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def _content_field() -> Any:
    return Field(
        min_length=1,
        max_length=MAX_PROMPT_CHARS,
        json_schema_extra=NOT_BLANK_SCHEMA,
        description="The prompt text; `{{name}}` and `{{reader.name}}` are placeholders.",
        examples=["A bedtime story about a brave {{animal}} who learns to share."],
    )


def _typed(kind: str, then: dict[str, Any], otherwise: dict[str, Any] | None = None) -> Any:
    rule = {"if": {"properties": {"type": {"const": kind}}, "required": ["type"]}, "then": then}
    return rule if otherwise is None else {**rule, "else": otherwise}


# The rules of TemplateVariable._consistent, for the document (but the default among the
# options, which a schema cannot say).
_VARIABLE_RULES: dict[str, Any] = {
    "allOf": [
        _typed(
            "choice",
            {"required": ["options"], "properties": {"options": {"minItems": 1}}},
            {"properties": {"options": {"maxItems": 0}}},
        ),
        _typed("number", {"properties": {"default": {"not": {"type": "string"}}}}),
        {  # "text" is the type left out
            "if": {"properties": {"type": {"const": "text"}}},
            "then": {"properties": {"default": {"type": ["string", "null"]}}},
        },
    ]
}


class TemplateVariable(Strict):
    """A typed template variable of a prompt."""

    model_config = ConfigDict(json_schema_extra=_VARIABLE_RULES)

    name: str = Field(max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    type: Literal["text", "number", "choice"] = "text"
    label: str | None = Field(default=None, max_length=100)
    default: Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)] | float | int | None = (
        None
    )
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type == "choice":
            if not self.options:
                raise rule_error("choice_needs_options", name=self.name)
            if self.default is not None and self.default not in self.options:
                raise rule_error("default_not_an_option", name=self.name)
        elif self.options:
            raise rule_error("options_only_for_choice", name=self.name, type=self.type)
        if self.type == "number" and isinstance(self.default, str):
            raise rule_error("default_not_a_number", name=self.name)
        if self.type == "text" and self.default is not None and not isinstance(self.default, str):
            raise rule_error("default_not_text", name=self.name)
        return self


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise rule_error("blank")
    return value


class PromptCreate(Strict):
    """A new prompt: the seed's ``{"content": ...}`` plus optional title, tags and variables."""

    content: str = _content_field()
    title: Title = ""
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    variables: list[TemplateVariable] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _content_not_blank(self) -> Self:
        _not_blank(self.content)
        return self


class PromptUpdate(Patch):
    """A partial change to a prompt; fields left out stay as they are."""

    content: str | None = Field(
        default=None, min_length=1, max_length=MAX_PROMPT_CHARS, json_schema_extra=NOT_BLANK_SCHEMA
    )
    title: Title | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    variables: list[TemplateVariable] | None = Field(default=None, max_length=30)

    @model_validator(mode="after")
    def _content_not_blank(self) -> Self:
        _not_blank(self.content)
        return self


class TemplateVariableOut(BaseModel):
    """A template variable as stored (validated when it was saved, not again on the way out)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    name: str
    type: Literal["text", "number", "choice"]
    label: str | None = None
    default: str | float | int | None = None
    options: list[str] = Field(default_factory=list)


class PromptOut(BaseModel):
    """A prompt as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    uuid: str
    title: str
    content: str
    tags: list[str]
    variables: list[TemplateVariableOut]
    created_at: datetime
    updated_at: datetime


class PromptPage(BaseModel):
    """One page of prompts, newest first."""

    items: list[PromptOut]
    total: int
    next_cursor: str | None


class PromptListQuery(Query):
    """Query parameters of the prompt list."""

    q: str | None = Field(default=None, max_length=200, description="Text to search for.")
    tag: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=100)


class PromptPath(BaseModel):
    """The prompt id in the URL."""

    prompt_id: DbId


class PromptExportItem(PromptCreate):
    """A prompt in an export file, identified by its stable UUID."""

    uuid: str = Field(min_length=36, max_length=36, pattern=r"^[0-9a-fA-F-]{36}$")
    created_at: DateTimeText | None = None


class PromptLibrary(Strict):
    """The whole prompt library as one JSON document (export and import)."""

    format: Literal["storybot.prompts"] = "storybot.prompts"
    version: Literal[1] = 1
    exported_at: DateTimeText | None = None
    prompts: list[PromptExportItem] = Field(max_length=10_000)


class ImportResult(BaseModel):
    """What an import changed."""

    created: int
    updated: int
