"""The bare Flask app that ``api_overhead.py`` measures Storybot against.

It signs the request in as Storybot does for an API token (the SHA-256 of the
``Authorization: Bearer`` token, looked up with its account in one statement,
the same as ``token_service.user_for_token``), runs the same SQLAlchemy
statements as ``GET /api/prompts`` (``count(*)`` and the newest ``limit + 1``
rows of the account's prompts) and returns the same JSON document built from
plain dicts, served by gunicorn with Storybot's server settings. It does not
note the token's last use, which Storybot writes at most once a minute.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, request
from gunicorn.app.base import BaseApplication
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker
from support import HOST

from storybot.models import ApiToken, Prompt, User

ENDPOINT = "/api/prompts"
PAGE_LIMIT = 20  # the API's default page size (PromptListQuery.limit)
TOKEN_PREFIX = "sbt_"  # as token_service.PREFIX
UNAUTHORIZED = ({"error": {"code": "unauthorized"}}, 401)


def _iso(value: datetime) -> str:
    """A timestamp as pydantic writes it in JSON mode (UTC as ``Z``)."""
    return value.isoformat().replace("+00:00", "Z")


def _cursor(prompt: Prompt) -> str:
    """The next-page cursor, encoded as ``prompt_service`` encodes it."""
    raw = json.dumps([prompt.created_at.isoformat(), prompt.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _variable_json(variable: dict[str, Any]) -> dict[str, Any]:
    """A stored template variable with every field of ``TemplateVariable``."""
    return {
        "name": variable["name"],
        "type": variable.get("type", "text"),
        "label": variable.get("label"),
        "default": variable.get("default"),
        "options": list(variable.get("options") or []),
    }


def _prompt_json(prompt: Prompt) -> dict[str, Any]:
    """A prompt in the shape of ``PromptOut``."""
    return {
        "id": prompt.id,
        "uuid": prompt.uuid,
        "title": prompt.title,
        "content": prompt.content,
        "tags": list(prompt.tags),
        "variables": [_variable_json(v) for v in prompt.variables],
        "created_at": _iso(prompt.created_at),
        "updated_at": _iso(prompt.updated_at),
    }


def create_bare_app(database_path: Path) -> Flask:
    """A minimal Flask app answering ``GET /api/prompts`` with the same SQL and JSON."""
    engine = create_engine(f"sqlite:///{database_path}")
    make_session = sessionmaker(engine)
    app = Flask("storybot_bare")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # as the full app

    @app.get(ENDPOINT)
    def list_prompts() -> tuple[dict[str, Any], int]:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
            return UNAUTHORIZED
        with make_session() as session:
            found = session.execute(
                select(ApiToken.id, ApiToken.last_used_at, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            ).first()
            if found is None or found.User.disabled:
                return UNAUTHORIZED
            owner = Prompt.owner_id == found.User.id
            total = session.scalar(select(func.count()).select_from(Prompt).where(owner)) or 0
            stmt = (
                select(Prompt)
                .where(owner)
                .order_by(Prompt.created_at.desc(), Prompt.id.desc())
                .limit(PAGE_LIMIT + 1)
            )
            rows = list(session.scalars(stmt))
            items = rows[:PAGE_LIMIT]
            more = len(rows) > PAGE_LIMIT
            page = {
                "items": [_prompt_json(p) for p in items],
                "total": total,
                "next_cursor": _cursor(items[-1]) if more and items else None,
            }
            return page, 200

    return app


class BareServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn serving the bare app with the settings of ``storybot.server.StorybotServer``."""

    def __init__(self, database_path: Path, port: int, threads: int) -> None:
        self.database_path = database_path
        self.port = port
        self.threads = threads
        super().__init__()

    def load_config(self) -> None:
        """The same worker model as Storybot's server; no access log."""
        options = {
            "bind": f"{HOST}:{self.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": self.threads,
            "timeout": 120,
            "graceful_timeout": 30,
            "keepalive": 5,
            "accesslog": None,
            "proc_name": "storybot-bench-bare",
            "control_socket_disable": True,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Build the bare app in the worker process."""
        return create_bare_app(self.database_path)
