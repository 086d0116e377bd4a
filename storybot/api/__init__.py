"""The HTTP API under ``/api``: one blueprint per resource."""

from __future__ import annotations

from flask_openapi3.openapi import OpenAPI

from storybot.api.access import init_access
from storybot.api.guards import install_body_guard
from storybot.api.throttle import init_throttle
from storybot.services.components import components


def register_api(app: OpenAPI) -> None:
    """Register every API blueprint and the request guards on the app."""
    from storybot.api import (
        auth,
        document,
        health,
        me,
        models,
        profiles,
        prompts,
        settings,
        stories,
        tokens,
        users,
    )
    from storybot.api import engines as engines_api

    # Sign-in is checked before the body: a stranger learns nothing from its shape.
    init_access(app)
    init_throttle(app, components(app).settings)
    install_body_guard(app)
    modules = (
        health,
        document,
        auth,
        me,
        tokens,
        users,
        prompts,
        profiles,
        stories,
        engines_api,
        models,
    )
    for module in (*modules, settings):
        app.register_api(module.bp)
