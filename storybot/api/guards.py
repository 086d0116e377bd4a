"""Checks shared by every route: JSON bodies, and text no route takes.

No text of a request may hold U+0000 (NUL): PostgreSQL cannot store it and
SQLite's full-text search fails on it, so it is refused before any route sees
it (the OpenAPI document says so in each string's pattern). No query parameter
of Storybot's is a list, so one given twice is refused rather than half read.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from storybot.config import Settings
from storybot.errors import ApiError
from storybot.services.components import components

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def settings() -> Settings:
    """The process settings of the current app."""
    value: Settings = components().settings
    return value


def install_body_guard(app: Flask) -> None:
    """Refuse API bodies that are not JSON objects before any route sees them.

    The OpenAPI layer reads bodies leniently (malformed JSON would reach the
    schema as an empty body); checking here gives each fault its own status:
    415 for another content type, 400 for malformed JSON, 413 for a body
    over the limit (raised by werkzeug while reading).
    """

    @app.before_request
    def _check_query() -> None:
        if not request.path.startswith("/api/"):
            return
        for name, values in request.args.lists():
            if len(values) > 1:
                raise _refused(name, "given_twice", f"Give the parameter {name!r} once.")
            if NUL in name or NUL in values[0]:
                raise _refused(name, "nul_character", NUL_MESSAGE)

    @app.before_request
    def _check_json_body() -> None:
        if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
            return
        has_body = bool(request.content_length) or "chunked" in request.headers.get(
            "Transfer-Encoding", ""
        )
        if not has_body:
            return
        if not request.is_json:
            raise ApiError(
                415,
                "unsupported_media_type",
                "Send the body as JSON with 'Content-Type: application/json'.",
            )
        try:
            body = request.get_json()
        except BadRequest as exc:
            if exc.code != 400:
                raise
            raise ApiError(
                400, "malformed_json", "The body is not valid JSON; check quotes and commas."
            ) from exc
        if not isinstance(body, dict):
            raise ApiError(422, "validation_error", "The body must be a JSON object.")
        where = _nul_in(body, "")
        if where is not None:
            raise _refused(where, "nul_character", NUL_MESSAGE)


NUL = "\x00"
NUL_MESSAGE = "Text may not hold the character U+0000 (NUL)."


def _refused(field: str, kind: str, message: str) -> ApiError:
    detail = {"field": field, "message": message, "type": kind}
    return ApiError(422, "validation_error", f"{field}: {message}", [detail])


def _nul_in(value: object, where: str) -> str | None:
    """The dotted path of the first text in ``value`` (keys too) that holds NUL, or None."""
    if isinstance(value, str):
        return where if NUL in value else None
    items: list[tuple[object, object]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and NUL in key:
            return path
        found = _nul_in(item, path)
        if found is not None:
            return found
    return None
