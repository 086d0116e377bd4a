"""Trace ids: one per request, from the caller when it sends a sane one.

The id comes from ``X-Trace-Id`` (8 to 64 of ``[A-Za-z0-9-]``), else from the
W3C ``traceparent`` header, else it is a new 128-bit random id. It is kept on
``flask.g``, returned as ``X-Trace-Id`` and added to every log line.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from flask import Flask, Response, g, request

TRACE_HEADER = "X-Trace-Id"
_TRACE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")

# Work that runs outside a request (a story generation in a worker thread)
# carries the trace id of the request that started it through this variable.
current_trace_id: ContextVar[str | None] = ContextVar("storybot_trace_id", default=None)


def new_trace_id() -> str:
    """A fresh 128-bit random trace id, as 32 hex digits (W3C trace-id form)."""
    return secrets.token_hex(16)


def trace_id_from_headers(x_trace_id: str | None, traceparent: str | None) -> str:
    """Choose the request's trace id from its headers, or make a new one."""
    if x_trace_id and _TRACE_ID.match(x_trace_id):
        return x_trace_id
    if traceparent:
        match = _TRACEPARENT.match(traceparent.strip().lower())
        if match and match.group(1) != "0" * 32:
            return match.group(1)
    return new_trace_id()


def install_tracing(app: Flask) -> None:
    """Assign a trace id to each request and return it in the response."""

    @app.before_request
    def _assign_trace_id() -> None:
        g.trace_id = trace_id_from_headers(
            request.headers.get(TRACE_HEADER), request.headers.get("traceparent")
        )
        g.trace_token = current_trace_id.set(g.trace_id)

    @app.after_request
    def _return_trace_id(response: Response) -> Response:
        if "trace_id" in g:
            response.headers[TRACE_HEADER] = g.trace_id
        return response

    @app.teardown_request
    def _forget_trace_id(_exc: BaseException | None) -> None:
        token = g.pop("trace_token", None)
        if token is not None:
            current_trace_id.reset(token)
