"""Readiness checks: can this process serve requests right now?"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storybot.extensions import db
from storybot.services.engine_service import registry
from storybot.services.settings_service import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@cache
def head_revisions() -> frozenset[str]:
    """The newest migration revisions this code knows (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def readiness() -> dict[str, dict[str, Any]]:
    """Each check as ``{"ok": bool, ...}``: the database answers; its schema is current."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
        checks["database"] = {"ok": True}
        heads = head_revisions()
        checks["migrations"] = {
            "ok": current == heads,
            "current": sorted(current),
            "expected": sorted(heads),
        }
    except Exception as exc:  # any driver error means "not ready", with its reason
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        return checks
    checks["engine"] = _default_engine()
    return checks


def _default_engine() -> dict[str, Any]:
    """The default engine can write (a cheap check: no generation)."""
    name = get_settings().default_engine
    try:
        health = registry().get(name).health()
    except Exception as exc:  # a broken engine configuration is "not ready" too
        return {"ok": False, "name": name, "error": str(exc)[:300]}
    return {
        "ok": health.ok,
        "name": name,
        "detail": health.detail,
        "detail_code": health.detail_code,
        "detail_params": health.detail_params,
    }
