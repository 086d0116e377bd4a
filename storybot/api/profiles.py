"""``/api/profiles``: readers, the people stories are written for."""

from __future__ import annotations

from flask import url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.schemas.profiles import (
    ProfileCreate,
    ProfileDeleteQuery,
    ProfileList,
    ProfileOut,
    ProfilePath,
    ProfileUpdate,
)
from storybot.services import profile_service

bp = APIBlueprint("profiles", __name__, url_prefix="/api/profiles", abp_tags=[Tag(name="readers")])


def _out(profile: object) -> dict[str, object]:
    return ProfileOut.model_validate(profile).model_dump(mode="json")


@bp.get("", responses={200: ProfileList})
def list_profiles() -> dict[str, object]:
    """Every reader, by name."""
    profiles = profile_service.list_profiles()
    return ProfileList(
        items=[ProfileOut.model_validate(p) for p in profiles], total=len(profiles)
    ).model_dump(mode="json")


@bp.post("", responses={201: ProfileOut})
def create_profile(body: ProfileCreate) -> tuple[dict[str, object], int, dict[str, str]]:
    """Add a reader."""
    profile = profile_service.create_profile(body)
    return _out(profile), 201, {"Location": url_for(".get_profile", profile_id=profile.id)}


@bp.get("/<id:profile_id>", responses={200: ProfileOut})
def get_profile(path: ProfilePath) -> dict[str, object]:
    """One reader."""
    return _out(profile_service.get_profile(path.profile_id))


@bp.patch("/<id:profile_id>", responses={200: ProfileOut})
def update_profile(path: ProfilePath, body: ProfileUpdate) -> dict[str, object]:
    """Change a reader."""
    return _out(profile_service.update_profile(path.profile_id, body))


@bp.delete("/<id:profile_id>", responses={204: None})
def delete_profile(path: ProfilePath, query: ProfileDeleteQuery) -> tuple[str, int]:
    """Delete a reader; their stories stay unless ``?delete_stories=true``."""
    profile_service.delete_profile(path.profile_id, delete_stories=query.delete_stories)
    return "", 204
