"""``/api/settings``: runtime settings kept in the database."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import require_admin_for_changes
from storybot.services import settings_service
from storybot.services.settings_service import RuntimeSettings, SettingsPatch

bp = APIBlueprint("settings", __name__, url_prefix="/api/settings", abp_tags=[Tag(name="settings")])
bp.before_request(require_admin_for_changes)


@bp.get("", responses={200: RuntimeSettings})
def get_settings() -> dict[str, object]:
    """Every runtime setting with its current value."""
    return settings_service.get_settings().model_dump(mode="json")


@bp.patch("", responses={200: RuntimeSettings})
def update_settings(body: SettingsPatch) -> dict[str, object]:
    """Change runtime settings (needs the admin token when one is configured)."""
    return settings_service.update_settings(body).model_dump(mode="json")
