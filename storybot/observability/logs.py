"""Logging: ECS JSON lines to a rotating file for Logstash, readable text on the terminal.

Root, app, werkzeug and gunicorn loggers all end up in the same two handlers.
Every line carries the trace id of the request (or of the generation) it
belongs to, as ``trace.id``.
"""

from __future__ import annotations

import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import ecs_logging
from flask import Flask, Response, g, request

from storybot.observability.metrics import route_label
from storybot.observability.tracing import current_trace_id

LOG_FILE_BYTES = 100 * 1024 * 1024  # as the seed: 100 MB, one backup
LOG_FILE_BACKUPS = 1
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(trace_id)s] %(message)s"

access_log = logging.getLogger("storybot.access")

# A safety net under the rule that no code logs a secret: whatever a message or a
# stack trace holds, a bearer token, an API token, the session cookie and a
# password or token field are blanked in the written line.
_SECRETS = re.compile(
    r"(?P<keep>(?i:\bbearer\s+)|\bsbt_|(?i:\bstorybot_session=)"
    r"|(?i:\b(?:password|new_password|current_password|csrf_token|token|access_token)"
    r"\\?[\"']?\s*[:=]\s*\\?[\"']?))"
    r"[^\s\"'&;,}\\]+"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with the values of secrets replaced by ``[redacted]``."""
    # The expression costs ~80 µs on an access line; looking for its words first
    # costs ~2 µs, and nearly no line holds one.
    lowered = text.lower()
    if not (
        "bearer" in lowered
        or "sbt_" in lowered
        or "storybot_session" in lowered
        or "password" in lowered
        or "token" in lowered
    ):
        return text
    return _SECRETS.sub(lambda m: m.group("keep") + REDACTED, text)


class RedactingEcsFormatter(ecs_logging.StdlibFormatter):
    """ECS JSON lines with secrets blanked (:func:`redact`)."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line of ``record``, redacted."""
        return redact(super().format(record))


class RedactingFormatter(logging.Formatter):
    """Text lines with secrets blanked (:func:`redact`)."""

    def format(self, record: logging.LogRecord) -> str:
        """The text line of ``record``, redacted."""
        return redact(super().format(record))


class TraceIdFilter(logging.Filter):
    """Adds the current trace id to a record, as ``trace.id`` (ECS) and ``trace_id`` (text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops it."""
        trace_id = current_trace_id.get()
        if trace_id is not None:
            setattr(record, "trace.id", trace_id)
        record.trace_id = trace_id or "-"
        return True


class JsonLogFile(RotatingFileHandler):
    """A rotating log file that formats each record once.

    The standard handler formats a record a second time to decide whether to
    rotate, and looks at the file on disk for every line; on the access log
    that doubled the cost of logging. Rotating when the file has reached its
    size (rather than just before) is as good for a 100 MB file.
    """

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (stdlib name)
        """Rotate once the file has grown past its limit."""
        if self.stream is None:
            self.stream = self._open()
        return bool(self.maxBytes) and self.stream.tell() >= self.maxBytes


def _mark(handler: logging.Handler) -> logging.Handler:
    handler.addFilter(TraceIdFilter())
    handler.set_name("storybot")
    return handler


def configure_logging(log_file: Path | None, level: str = "INFO", *, terminal: bool = True) -> None:
    """Send every logger to the JSON log file (and the terminal); safe to call again.

    Handlers from an earlier call are replaced, so tests that build many apps
    never write one line twice.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "storybot":
            root.removeHandler(handler)
            handler.close()
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = JsonLogFile(
            log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
        # Left out: process (one process), log.original (the message again),
        # log.origin (a stack trace says where errors come from), and the
        # text format's trace_id (ECS has trace.id). Formatting is most of the
        # cost of an access line; these fields were half of it.
        file_handler.setFormatter(
            RedactingEcsFormatter(
                exclude_fields=["process", "log.original", "log.origin", "trace_id"]
            )
        )
        root.addHandler(_mark(file_handler))
    if terminal:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(RedactingFormatter(TEXT_FORMAT))
        if log_file is not None and not sys.stderr.isatty():
            # Under a service manager every line is in the JSON file already;
            # the journal keeps what needs a person's attention.
            stream.setLevel(logging.WARNING)
        root.addHandler(_mark(stream))
    root.setLevel(level.upper())
    for name in ("werkzeug", "gunicorn.error", "gunicorn.access", "storybot"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True


def install_access_log(app: Flask) -> None:
    """Write one access line per request: client, method, route rule, status, duration.

    The path is logged without its query string and no header is: a token or a
    password a caller puts there never reaches the log.
    """

    @app.after_request
    def _log_access(response: Response) -> Response:
        seconds = g.get("request_seconds")
        duration_ms = round(seconds * 1000, 2) if seconds is not None else None
        access_log.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                # The caller's address; behind trusted proxies, the one they forwarded.
                "client.ip": request.remote_addr,
                "http.request.method": request.method,
                "url.path": request.path,
                "http.route": route_label(),
                "http.response.status_code": response.status_code,
                "event.duration": int(seconds * 1e9) if seconds is not None else None,
                "user.id": g.get("owner_id"),  # the signed-in account, never its email
            },
        )
        return response
