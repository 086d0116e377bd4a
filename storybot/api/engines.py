"""``/api/engines``: the language models Storybot can write with, and their health."""

from __future__ import annotations

from typing import Any

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
from pydantic import BaseModel, Field

from storybot.services import engine_service

bp = APIBlueprint("engines", __name__, url_prefix="/api/engines", abp_tags=[Tag(name="engines")])


class EngineOut(BaseModel):
    """A configured engine."""

    name: str
    kind: str
    model: str
    languages: list[str]
    default: bool
    ok: bool
    detail: str = Field(description="The health check's finding, in English.")
    detail_code: str = Field(description="The detail as a message code (docs/api.md, 'Messages').")
    detail_params: dict[str, str | int | float] = Field(
        description="What the detail is worded with."
    )
    models: list[str]


class EngineList(BaseModel):
    """Every configured engine."""

    items: list[EngineOut]


@bp.get("", responses={200: EngineList})
def list_engines() -> dict[str, Any]:
    """Every configured engine, with its health (checked now) and its models."""
    return EngineList(
        items=[EngineOut(**e) for e in engine_service.describe_engines()]
    ).model_dump()
