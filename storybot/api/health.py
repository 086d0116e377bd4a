"""``/api/health`` (the process is alive) and ``/api/ready`` (it can serve)."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.schemas.common import Health
from storybot.services import health_service

bp = APIBlueprint("health", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])


@bp.get("/health", responses={200: Health})
def health() -> dict[str, object]:
    """Alive: answers as long as the process serves requests."""
    return Health(status="ok").model_dump()


@bp.get("/ready", responses={200: Health, 503: Health})
def ready() -> tuple[dict[str, object], int]:
    """Ready: the database answers and its schema is at the latest migration."""
    checks = health_service.readiness()
    ok = all(check["ok"] for check in checks.values())
    return Health(status="ok" if ok else "unavailable", checks=checks).model_dump(), (
        200 if ok else 503
    )
