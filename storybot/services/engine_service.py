"""Which engines exist, which one writes a story, and whether they are healthy."""

from __future__ import annotations

from typing import Any

from flask import current_app

from storybot.engines.base import Engine
from storybot.errors import InvalidInput, invalid_field
from storybot.services.settings_service import get_settings


def registry() -> Any:
    """This app's engine registry, configured from the current settings."""
    engines = current_app.extensions["storybot.engines"]
    engines.configure(get_settings().engines)
    return engines


def get_engine(name: str) -> Engine:
    """The configured engine of this name; 422 naming the configured ones otherwise."""
    engines = registry()
    if name not in engines.names():
        known = ", ".join(sorted(engines.names())) or "none"
        raise InvalidInput(
            f"There is no engine named '{name}'. Configured engines: {known}.",
            [invalid_field("engine", "unknown_engine")],
        )
    engine: Engine = engines.get(name)
    return engine


def engine_for_language(name: str, language: str) -> Engine:
    """The engine, if it writes ``language``; else a 422 that says how to add one that does."""
    from storybot.services.story_service import language_error

    engine = get_engine(name)
    if language not in engine.languages:
        raise language_error(name, language, engine.languages)
    return engine


def describe_engines() -> list[dict[str, Any]]:
    """Every configured engine with its health and models, for ``GET /api/engines``."""
    engines = registry()
    default = get_settings().default_engine
    out = []
    for name in sorted(engines.names()):
        engine = engines.get(name)
        health = engine.health()
        out.append(
            {
                "name": name,
                "kind": engine.kind,
                "model": engine.model,
                "languages": sorted(engine.languages),
                "default": name == default,
                "ok": health.ok,
                "detail": health.detail,
                "detail_code": health.detail_code,
                "detail_params": health.detail_params,
                "models": health.models,
            }
        )
    return out
