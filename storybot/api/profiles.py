"""``/api/profiles``: readers, the people stories are written for."""

from __future__ import annotations

from flask import Response, url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.schemas.profiles import (
    ProfileCreate,
    ProfileList,
    ProfileOut,
    ProfilePath,
    ProfileUpdate,
)
from storybot.services import family_data, profile_service

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
def delete_profile(path: ProfilePath) -> tuple[str, int]:
    """Delete a reader with everything about them.

    Their stories go too, with their text; a story of theirs being written is stopped."""
    family_data.delete_reader(path.profile_id)
    return "", 204


ZIP_RESPONSE = {
    "description": "A zip: reader.json and stories/story-<id>-<title>.epub (docs/privacy.md).",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


@bp.get("/<id:profile_id>/export", responses={200: ZIP_RESPONSE})
def export_profile(path: ProfilePath) -> Response:
    """Download everything about a reader, as a zip.

    It holds ``reader.json`` (the profile and every story written for them) and an
    EPUB of each story that has ended."""
    archive = family_data.export_reader(path.profile_id)
    return Response(
        archive.body,
        content_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{archive.filename}"',
            "Cache-Control": "no-store",
        },
    )
