"""Pieces shared by the API's request and response models."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from storybot.messages import rule_error


def _whole_number(value: Any) -> Any:
    """5.0 as 5: JSON (and its schema) make no difference, strict mode would refuse it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# After an int's constraints in Annotated[int, Field(ge=...), WHOLE_NUMBER]: a request's
# integer is a JSON number without a fraction, never a string or a boolean. (Put before
# them, the constraints would be left out of the document.)
WHOLE_NUMBER = BeforeValidator(_whole_number)

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?"
)


def _date_time_text(value: Any) -> Any:
    """A date-time of a request is ISO 8601 text: not a number of seconds, nor a bare date
    (code builds these models from datetime objects too)."""
    if isinstance(value, datetime) or value is None:
        return value
    if not (isinstance(value, str) and _DATE_TIME.fullmatch(value)):
        raise ValueError("a date-time is ISO 8601 text, e.g. 2025-01-31T18:30:00Z")
    return value


# A date-time of a request (strict mode would take only a datetime object, not text).
DateTimeText = Annotated[datetime, Field(strict=False), BeforeValidator(_date_time_text)]

# Python's str.strip() takes these away (str.isspace()); JSON Schema's \s is another set,
# so the document names them one by one and both sides agree on what blank is.
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{SPACES}]"  # somewhere in the text: a character that is not a space
BLANK = f"^[{SPACES}]*$"

# The database's ids are ``integer`` (32 bits on PostgreSQL): the largest one there can be.
MAX_DB_ID = 2**31 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID, description="A database id."), WHOLE_NUMBER]
# A count or position stored in an ``integer`` column (event sequence numbers ...).
DbCount = Annotated[int, Field(ge=0, le=MAX_DB_ID), WHOLE_NUMBER]


def key_schema(*, min_length: int = 0, max_length: int) -> dict[str, Any]:
    """The JSON schema of a map's keys (``json_schema_extra``): pydantic checks a key's
    constraints but leaves them out of the document."""
    return {"propertyNames": {"type": "string", "minLength": min_length, "maxLength": max_length}}


Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=NOT_BLANK)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=NOT_BLANK)
]


class Strict(BaseModel):
    """Base of request models: unknown fields are an error, not silently dropped, and a
    value of another JSON type is an error, not converted (``"6"`` is not an age, ``1``
    not ``true``): what the document says is what is taken."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _refuse_null_in_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A patch's document: a field may be left out, but null only where it clears."""
    nullable: frozenset[str] = getattr(model, "nullable_fields", frozenset())
    for name, field in schema.get("properties", {}).items():
        if name in nullable or "anyOf" not in field:
            continue
        options = [option for option in field.pop("anyOf") if option != {"type": "null"}]
        if len(options) == 1:
            field.update(options[0])
        else:
            field["anyOf"] = options
        if "default" in field and field["default"] is None:
            del field["default"]  # left out, a field is unchanged


class Patch(Strict):
    """Base of partial updates: each field is left out or given a value.

    ``null`` is refused (naming the field) except for the fields listed in
    ``nullable_fields``, which it clears.
    """

    model_config = ConfigDict(json_schema_extra=_refuse_null_in_schema)
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise rule_error("not_null")
        return value


class Health(BaseModel):
    """Liveness and readiness answers."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    status: Literal["ok", "unavailable"]
    checks: dict[str, Any] = Field(default_factory=dict)
    version: str = Field(description="The Storybot package version that answers.")
    release: str | None = Field(
        default=None,
        description="The id of the deployed release that answers (its releases/<id>, "
        "written by the deployment); null in a development checkout.",
    )


_SCHEMAS: dict[type[BaseModel], dict[str, Any]] = {}


class Query(BaseModel):
    """Base of query-string models; unknown parameters (cache busters ...) are ignored.

    flask-openapi3 asks a query model for its JSON schema on every request to
    learn which fields are lists. The schema never changes, so it is computed
    once per class: that was a quarter of the time of a simple list request.
    """

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The class's JSON schema; the argument-free form is cached."""
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        schema = _SCHEMAS.get(cls)
        if schema is None:
            schema = _SCHEMAS[cls] = super().model_json_schema()
        return schema
