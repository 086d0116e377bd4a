"""Error types and the one JSON error envelope every error response uses.

Every error Storybot answers has this shape, whatever raised it::

    {"error": {"code": "not_found", "message": "...", "details": ...},
     "trace_id": "..."}
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from storybot.messages import ParamValue, word

log = logging.getLogger(__name__)

# Codes for the HTTP errors werkzeug raises; the message says what to do.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "This needs the admin token in an 'Authorization: Bearer' header."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("body_too_large", "The request body is larger than this server accepts."),
    415: ("unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'."),
    422: ("validation_error", "The request is not valid."),
    429: ("too_many_requests", "Too many requests; try again shortly."),
    500: (
        "internal_error",
        "Something went wrong on the server; the trace id helps find out what.",
    ),
}


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a message a person understands."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


class NotFound(ApiError):
    """The named resource does not exist."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(404, "not_found", f"There is no {what} with id {ident}.")


class InvalidInput(ApiError):
    """Input that fails a rule the schema cannot express (422)."""

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(422, "validation_error", message, details)


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build the JSON error envelope as a response."""
    body = {
        "error": {"code": code, "message": message, "details": details},
        "trace_id": g.get("trace_id"),
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def invalid_field(field: str, code: str, /, **params: ParamValue) -> dict[str, Any]:
    """One detail of a 422 for a rule a service checks: the field, the code and its params,
    worded in English from the catalogue (``storybot.messages``)."""
    return {
        "field": field,
        "message": word(code, params),
        "type": code,
        "code": code,
        "params": params,
    }


def _param(value: object) -> ParamValue:
    """A pydantic context value as JSON a client can word a message with."""
    if isinstance(value, str | int | float):
        return value
    return str(value)


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as a list of ``{field, message, type, code, params}`` a client can show.

    ``code`` is pydantic's error type (or Storybot's own, for its rules) and
    ``params`` the error's context (``max_length``, ``expected`` ...): with them
    a client words the message in its own language; ``message`` is English.
    """
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in err["loc"])
        params = {key: _param(value) for key, value in (err.get("ctx") or {}).items()}
        out.append(
            {
                "field": field,
                "message": err["msg"],
                "type": err["type"],
                "code": err["type"],
                "params": params,
            }
        )
    return out


def validation_error_response(exc: ValidationError) -> Response:
    """The 422 answer for a request that fails its pydantic schema."""
    details = validation_details(exc)
    first = details[0] if details else None
    if first is None:
        message = "Invalid input."
    elif first["field"]:
        message = f"{first['field']}: {first['message']}"
    else:  # a rule about the whole request: its own words say what is wrong
        message = first["message"].removeprefix("Value error, ")
    if len(details) > 1:
        message += f" (and {len(details) - 1} more)"
    return error_response(422, "validation_error", message, details)


def register_error_handlers(app: Flask) -> None:
    """Answer every error, expected or not, with the JSON envelope."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        return validation_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        if exc.response is not None and exc.response.is_json:
            return exc.response  # already an envelope (abort() with a built response)
        status = exc.code or 500
        code, message = _HTTP_CODES.get(status, ("http_error", exc.description or exc.name))
        headers = {}
        if status == 405 and exc.get_headers():
            headers = {k: v for k, v in exc.get_headers() if k == "Allow"}
        return error_response(status, code, message, None, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        from storybot.extensions import db

        db.session.rollback()
        log.exception("unhandled error: %s", exc)
        code, message = _HTTP_CODES[500]
        return error_response(500, code, message)
