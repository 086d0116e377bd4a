"""CORS: which other origins' pages may call the API, cookies included.

Only origins listed one by one in ``STORYBOT_CORS_ORIGINS`` (the settings refuse
``*``, which browsers never allow with credentials anyway). Credentials are
allowed so that a UI served from another origin (Vite's dev server on :3000)
signs in with the session cookie and sends ``X-CSRF-Token``; an origin not in
the list gets no CORS headers, so its page cannot read any answer.
"""

from __future__ import annotations

import re

from flask import Flask

from storybot.config import Settings
from storybot.extensions import cors

EXPOSED_HEADERS = ["X-Trace-Id", "Location", "Retry-After", "WWW-Authenticate"]
ALLOWED_HEADERS = [
    "Content-Type",
    "Authorization",
    "X-CSRF-Token",
    "X-Trace-Id",
    "Last-Event-ID",
]


def exact_origins(origins: list[str]) -> list[re.Pattern[str]]:
    """Patterns that match each origin whole and nothing else.

    flask-cors reads a string holding ``[`` or ``]`` (an IPv6 origin) as a regular
    expression, and matches patterns at the start only: escaped and anchored, an
    origin never admits another (``http://a.example`` not ``http://a.example.evil``).
    """
    return [re.compile(re.escape(origin) + r"\Z", re.IGNORECASE) for origin in origins]


def init_cors(app: Flask, settings: Settings) -> None:
    """Answer CORS requests to ``/api`` from the configured origins only."""
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": exact_origins(settings.cors_origins)}},
        expose_headers=EXPOSED_HEADERS,
        allow_headers=ALLOWED_HEADERS,
        supports_credentials=True,
        always_send=False,
        max_age=3600,
    )
