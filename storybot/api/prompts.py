"""``/api/prompts``: the prompt library."""

from __future__ import annotations

from flask import Response, url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.responses import json_response
from storybot.schemas.prompts import (
    ImportResult,
    PromptCreate,
    PromptLibrary,
    PromptListQuery,
    PromptOut,
    PromptPage,
    PromptPath,
    PromptUpdate,
)
from storybot.services import prompt_service

bp = APIBlueprint("prompts", __name__, url_prefix="/api/prompts", abp_tags=[Tag(name="prompts")])


@bp.get("", responses={200: PromptPage})
def list_prompts(query: PromptListQuery) -> Response:
    """List prompts, newest first; ``q`` searches title and content, ``tag`` filters."""
    page = prompt_service.list_prompts(query)
    return json_response(
        PromptPage.model_validate(
            {"items": page.items, "total": page.total, "next_cursor": page.next_cursor},
            from_attributes=True,
        )
    )


@bp.post("", responses={201: PromptOut})
def create_prompt(body: PromptCreate) -> tuple[dict[str, object], int, dict[str, str]]:
    """Add a prompt to the library."""
    prompt = prompt_service.create_prompt(body)
    location = url_for(".get_prompt", prompt_id=prompt.id)
    return PromptOut.model_validate(prompt).model_dump(mode="json"), 201, {"Location": location}


@bp.get("/export", responses={200: PromptLibrary})
def export_prompts() -> Response:
    """Download the whole library as one JSON file."""
    library = prompt_service.export_library()
    response = Response(
        library.model_dump_json(indent=2), content_type="application/json; charset=utf-8"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="storybot-prompts.json"'
    return response


@bp.post("/import", responses={200: ImportResult})
def import_prompts(body: PromptLibrary) -> dict[str, object]:
    """Add or update prompts from an export file, matched by UUID (importing twice is harmless)."""
    created, updated = prompt_service.import_library(body)
    return ImportResult(created=created, updated=updated).model_dump()


@bp.get("/<id:prompt_id>", responses={200: PromptOut})
def get_prompt(path: PromptPath) -> dict[str, object]:
    """One prompt."""
    return PromptOut.model_validate(prompt_service.get_prompt(path.prompt_id)).model_dump(
        mode="json"
    )


@bp.patch("/<id:prompt_id>", responses={200: PromptOut})
def update_prompt(path: PromptPath, body: PromptUpdate) -> dict[str, object]:
    """Change a prompt's content, title, tags or variables."""
    prompt = prompt_service.update_prompt(path.prompt_id, body)
    return PromptOut.model_validate(prompt).model_dump(mode="json")


@bp.delete("/<id:prompt_id>", responses={204: None})
def delete_prompt(path: PromptPath) -> tuple[str, int]:
    """Delete a prompt."""
    prompt_service.delete_prompt(path.prompt_id)
    return "", 204
