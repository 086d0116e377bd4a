"""Pieces shared by the API's request and response models."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from storybot.messages import rule_error

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Strict(BaseModel):
    """Base of request models: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Patch(Strict):
    """Base of partial updates: each field is left out or given a value.

    ``null`` is refused (naming the field) except for the fields listed in
    ``nullable_fields``, which it clears.
    """

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise rule_error("not_null")
        return value


class Health(BaseModel):
    """Liveness and readiness answers."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, Any] = Field(default_factory=dict)


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
