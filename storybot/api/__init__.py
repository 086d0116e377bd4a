"""The HTTP API under ``/api``: one blueprint per resource."""

from __future__ import annotations

from flask_openapi3.openapi import OpenAPI

from storybot.api.guards import install_body_guard


def register_api(app: OpenAPI) -> None:
    """Register every API blueprint and the request guards on the app."""
    from storybot.api import document, health, models, profiles, prompts, settings, stories
    from storybot.api import engines as engines_api

    install_body_guard(app)
    for module in (health, document, prompts, profiles, stories, engines_api, models, settings):
        app.register_api(module.bp)
