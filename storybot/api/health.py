"""``/api/health`` (the process is alive) and ``/api/ready`` (it can serve)."""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.release import release_info
from storybot.schemas.common import Health
from storybot.services import health_service

bp = APIBlueprint("health", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])


@bp.get("/health", responses={200: Health})
def health() -> dict[str, object]:
    """Alive: answers as long as the process serves requests, and says which release it is."""
    return _health("ok").model_dump()


@bp.get("/ready", responses={200: Health, 503: Health})
def ready() -> tuple[dict[str, object], int]:
    """Ready: the database answers and its schema is at the latest migration."""
    checks = health_service.readiness()
    ok = all(check["ok"] for check in checks.values())
    return _health("ok" if ok else "unavailable", checks).model_dump(), (200 if ok else 503)


def _health(status: Literal["ok", "unavailable"], checks: dict[str, Any] | None = None) -> Health:
    info = release_info()
    return Health(status=status, checks=checks or {}, version=info.version, release=info.release)
