"""Which engines exist, which one writes a story, and whether they are healthy."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from storybot.engines.base import Engine
from storybot.engines.registry import EngineConfig, EngineRegistry
from storybot.errors import ApiError, InvalidInput, invalid_field
from storybot.observability.engine_up import EngineProbe
from storybot.schemas.engines import EngineOut
from storybot.services.components import components
from storybot.services.composition import LANGUAGE_NAMES
from storybot.services.settings_service import SettingsPatch, get_settings, update_settings


def registry() -> EngineRegistry:
    """This app's engine registry, configured from the current settings."""
    engines = components().engines
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
    engine = get_engine(name)
    if language not in engine.languages:
        raise language_error(name, language, engine.languages)
    return engine


def engine_name_for(model: str) -> str:
    """A free engine name made from a model's name (``qwen2.5:7b`` -> ``qwen2.5-7b``)."""
    base = re.sub(r"[^\w.-]+", "-", model).strip("-._")[:56] or "engine"
    if not base[0].isalnum():
        base = f"m{base}"
    taken = set(get_settings().engines)
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


def add_engine(name: str | None, config: EngineConfig, *, make_default: bool) -> EngineOut:
    """Add one engine beside the configured ones (409 if the name is taken); it, with its health."""
    settings = get_settings()
    if config.type == "openai":
        model = config.model
    elif config.type == "local" and config.model_path:
        model = Path(config.model_path).stem
    else:
        model = config.type
    chosen = name or engine_name_for(model)
    if chosen in settings.engines:
        raise ApiError(
            409,
            "engine_exists",
            f"There is an engine named '{chosen}' already; choose another name.",
            [{"field": "name", "message": "name taken", "type": "engine_exists"}],
        )
    # As plain data: the settings store fields given, and a config built in
    # code has its defaults (its "type" too) unset.
    engines = {
        n: c.model_dump(mode="json") for n, c in {**settings.engines, chosen: config}.items()
    }
    change: dict[str, Any] = {"engines": engines}
    if make_default:
        change["default_engine"] = chosen
    update_settings(SettingsPatch.model_validate(change))
    return describe_engine(chosen)


def describe_engine(name: str) -> EngineOut:
    """One configured engine with its health (checked now) and models."""
    engine = get_engine(name)
    health = engine.health()
    return EngineOut(
        name=name,
        kind=engine.kind,
        model=engine.model,
        languages=sorted(engine.languages),
        default=name == get_settings().default_engine,
        ok=health.ok,
        detail=health.detail,
        detail_code=health.detail_code,
        detail_params=health.detail_params,
        models=health.models,
    )


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


def engine_probes() -> list[EngineProbe]:
    """Every configured engine with its health check, for ``storybot_engine_up``."""
    engines = registry()
    probes = []
    for name in sorted(engines.names()):
        engine: Engine = engines.get(name)
        probes.append(EngineProbe(name, engine.kind, partial(_healthy, engine)))
    return probes


def _healthy(engine: Engine) -> bool:
    """Whether ``engine``'s health check passes now."""
    return engine.health().ok


def language_error(engine_name: str, language: str, languages: frozenset[str]) -> InvalidInput:
    """The 422 for a story in a language the engine does not write, naming the two ways to fix it.

    The detail's ``type`` ("language_not_written"), ``params`` and ``fixes`` let
    a client word the message itself and link to each way (Settings, where
    servers found on this machine and model files by link are added).
    """
    wanted = LANGUAGE_NAMES.get(language, language)
    has = ", ".join(sorted(LANGUAGE_NAMES.get(lang, lang) for lang in languages)) or "none"
    detail = invalid_field(
        "language", "language_not_written", engine=engine_name, language=language
    )
    detail["params"]["languages"] = sorted(languages)
    detail["fixes"] = ["discover_servers", "download_model"]
    return InvalidInput(
        f"The engine '{engine_name}' writes {has} only, not {wanted}. To write {wanted} "
        "stories, add a model that does, in one of two ways in Settings: add a model server "
        "found on this machine (an OpenAI-compatible server such as Ollama or LM Studio, "
        "GET /api/engines/discover), or add a GGUF model file by its link "
        "(POST /api/models/downloads) and use it; tick the languages it writes "
        f'("languages": ["{language}"]), then choose it for this story or as the default.',
        [detail],
    )
