"""The HTTP API under ``/api``: one blueprint per resource."""

from __future__ import annotations

from flask_openapi3.openapi import OpenAPI

from storybot.api.guards import install_body_guard


def register_api(app: OpenAPI) -> None:
    """Register every API blueprint and the request guards on the app."""
    from storybot.api import health, prompts, settings

    install_body_guard(app)
    app.register_api(health.bp)
    app.register_api(prompts.bp)
    app.register_api(settings.bp)
