"""The long-lived parts an app is built with, found through one typed accessor.

:func:`storybot.create_app` makes them once per app and keeps them in
``app.extensions``; everything else reaches them through :func:`components`,
so a part has one name and one type wherever it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from flask import Flask, current_app
from flask_limiter import Limiter

from storybot.config import Settings
from storybot.engines.registry import EngineRegistry
from storybot.jobs.notify import StoryBus
from storybot.jobs.relay import RedisRelay
from storybot.jobs.runner import Dispatch

if TYPE_CHECKING:  # services that use this accessor themselves: named for their types only
    from storybot.services.model_downloads import ModelDownloads
    from storybot.services.retention import RetentionJob
    from storybot.services.story_events import SharedReads
    from storybot.services.stream_gate import StreamGate

KEY = "storybot"


@dataclass
class Components:
    """One app's parts: its settings, engines, story runner and what streams its stories."""

    settings: Settings
    engines: EngineRegistry
    bus: StoryBus
    reads: SharedReads
    runner: Dispatch  # a StoryRunner, or QueueDispatch with queue workers
    retention: RetentionJob
    streams: StreamGate
    downloads: ModelDownloads
    relay: RedisRelay | None = None  # the bus's publishes to and from other processes (Redis)
    limiter: Limiter | None = None  # set when the API's limits are installed
    hasher: PasswordHasher | None = None  # made at the first password checked
    decoy_hash: str | None = None  # a hash to check unknown emails against, as long


def components(app: Flask | None = None) -> Components:
    """The parts of ``app`` (default: the current app)."""
    found: Components = (app or current_app).extensions[KEY]
    return found
