"""``/api/models``: local GGUF model files, downloads of new ones, and making one an engine."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import require_admin_for_changes
from storybot.api.contract import errors
from storybot.schemas.engines import EngineOut
from storybot.schemas.models import (
    DownloadCreate,
    DownloadList,
    DownloadOut,
    DownloadPath,
    LocalModelList,
    ModelPath,
    UseModel,
)
from storybot.services import model_service

bp = APIBlueprint("models", __name__, url_prefix="/api/models", abp_tags=[Tag(name="models")])
bp.before_request(require_admin_for_changes)


@bp.get("", responses={200: LocalModelList})
def list_models() -> dict[str, Any]:
    """The GGUF model files here: the built-in one and those downloaded."""
    return LocalModelList(items=model_service.list_models()).model_dump()


@bp.post("/<model_name>/engine", responses={201: EngineOut, **errors(409)})
def use_model(path: ModelPath, body: UseModel) -> tuple[dict[str, Any], int]:
    """Make a model file a ``local`` engine, writing the languages given."""
    return model_service.use_model(path.model_name, body).model_dump(), 201


@bp.get("/downloads", responses={200: DownloadList})
def list_downloads() -> dict[str, Any]:
    """The downloads of this server process, running or ended."""
    return DownloadList(items=model_service.list_downloads()).model_dump()


@bp.post("/downloads", responses={202: DownloadOut, **errors(409)})
def start_download(body: DownloadCreate) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Start downloading a GGUF file by its link; follow it at ``Location``."""
    download = model_service.start_download(body)
    location = url_for(".get_download", download_id=download.id)
    return download.model_dump(), 202, {"Location": location}


@bp.get("/downloads/<download_id>", responses={200: DownloadOut})
def get_download(path: DownloadPath) -> dict[str, Any]:
    """A download's status and progress."""
    return model_service.download_state(path.download_id).model_dump()


@bp.delete("/downloads/<download_id>", responses={200: DownloadOut})
def cancel_download(path: DownloadPath) -> dict[str, Any]:
    """Cancel a running download and remove its partial file; an ended one leaves the list."""
    return model_service.cancel_download(path.download_id).model_dump()
