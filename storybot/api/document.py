"""``/api/openapi.json``: the OpenAPI document at a stable address (its pages: /api/docs)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

bp = APIBlueprint("document", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])

_DOCUMENT = {
    "description": "The OpenAPI 3.1 document of this API.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@bp.get("/openapi.json", responses={200: _DOCUMENT})
def openapi_document() -> dict[str, Any]:
    """This document."""
    document: dict[str, Any] = current_app.api_doc  # type: ignore[attr-defined]
    return document
