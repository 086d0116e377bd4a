"""The error envelope as models, for the OpenAPI document (``storybot.errors`` builds it).

Every error answer has this one shape; a 422's ``details`` is a list of field
errors a client can word in its own language (docs/api.md, "Messages").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """What went wrong: a stable code, English words, and what the code is about."""

    code: str = Field(description="A stable code, e.g. not_found, validation_error.")
    message: str = Field(description="What went wrong and how to fix it, in English.")
    details: Any = Field(description="More about the error (a 422: its field errors), or null.")


class ErrorEnvelope(BaseModel):
    """The body of every error answer."""

    error: ErrorBody
    trace_id: str | None = Field(description="The request's trace id (also in X-Trace-Id).")


class FieldError(BaseModel):
    """One field that failed: where, what, and the code and params to word it with."""

    field: str = Field(description="The field's dotted path ('' for the whole body).")
    message: str = Field(description="In English.")
    type: str = Field(description="The error's type (the same as code).")
    code: str | None = Field(default=None, description="A message code (docs/api.md).")
    params: dict[str, Any] | None = Field(default=None, description="What code is worded with.")


class ValidationErrorBody(ErrorBody):
    """A 422's error: ``details`` lists the fields that failed."""

    details: list[FieldError] | None = Field(description="Each field that failed.")


class ValidationErrorEnvelope(BaseModel):
    """The body of a 422: the envelope, with its field errors."""

    error: ValidationErrorBody
    trace_id: str | None = Field(description="The request's trace id (also in X-Trace-Id).")
