"""Checks shared by every route: JSON bodies."""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest

from storybot.config import Settings
from storybot.errors import ApiError

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def settings() -> Settings:
    """The process settings of the current app."""
    value: Settings = current_app.extensions["storybot.settings"]
    return value


def install_body_guard(app: Flask) -> None:
    """Refuse API bodies that are not JSON objects before any route sees them.

    The OpenAPI layer reads bodies leniently (malformed JSON would reach the
    schema as an empty body); checking here gives each fault its own status:
    415 for another content type, 400 for malformed JSON, 413 for a body
    over the limit (raised by werkzeug while reading).
    """

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
