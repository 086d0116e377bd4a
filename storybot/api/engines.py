"""``/api/engines``: the language models Storybot can write with, their health, new ones."""

from __future__ import annotations

from typing import Any

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import require_admin_for_changes
from storybot.api.contract import errors
from storybot.schemas.engines import DiscoveryList, EngineAdd, EngineList, EngineOut
from storybot.services import discovery_service, engine_service

bp = APIBlueprint("engines", __name__, url_prefix="/api/engines", abp_tags=[Tag(name="engines")])
bp.before_request(require_admin_for_changes)


@bp.get("", responses={200: EngineList})
def list_engines() -> dict[str, Any]:
    """Every configured engine, with its health (checked now) and its models."""
    return EngineList(
        items=[EngineOut(**e) for e in engine_service.describe_engines()]
    ).model_dump()


@bp.post("", responses={201: EngineOut, **errors(409)})
def add_engine(body: EngineAdd) -> tuple[dict[str, Any], int]:
    """Add one engine beside the configured ones (needs the admin token when one is set)."""
    engine = engine_service.add_engine(body.name, body.config, make_default=body.make_default)
    return engine.model_dump(), 201


@bp.get("/discover", responses={200: DiscoveryList})
def discover_engines() -> dict[str, Any]:
    """OpenAI-compatible servers running on this machine (Ollama, llama.cpp, LM Studio, vLLM)."""
    return discovery_service.discover().model_dump()
