"""Storybot's production server: gunicorn with one process and many threads.

One process keeps one copy of a language model in memory; threads (gthread,
not gevent, whose event loop llama.cpp's calls would block) let long event
streams run beside ordinary requests.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from storybot.config import Settings
from storybot.services.components import components


class StorybotLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger, writing through Storybot's handlers instead of its own."""

    def setup(self, cfg: Any) -> None:
        """Keep gunicorn's loggers but let them propagate to the root handlers."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.handlers.clear()
            log.propagate = True
        self.error_log.setLevel(logging.INFO)


class StorybotServer(BaseApplication):  # type: ignore[misc]
    """An embedded gunicorn that builds the Storybot app inside its worker."""

    def __init__(self, settings: Settings, on_ready: Any = None) -> None:
        self.settings = settings
        self.on_ready = on_ready
        super().__init__()

    def load_config(self) -> None:
        """Gunicorn settings derived from Storybot's."""
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": self.settings.threads,
            "timeout": 120,
            "graceful_timeout": 30,
            "keepalive": 5,
            "accesslog": None,  # Storybot writes its own access line, with the trace id
            "logger_class": StorybotLogger,
            "proc_name": "storybot",
            "control_socket_disable": True,  # no shared socket in $HOME for several servers
        }
        for key, value in options.items():
            self.cfg.set(key, value)
        if self.on_ready is not None:
            self.cfg.set("when_ready", lambda _server: self.on_ready())

    def load(self) -> Any:
        """Build the WSGI app in the worker process (nothing is shared across the fork)."""
        from storybot import create_app

        app = create_app(self.settings)
        parts = components(app)
        if parts.relay is not None:
            parts.relay.start()  # other processes' stories reach this one's viewers
        parts.runner.start()  # stories queued before a restart resume
        parts.retention.start()  # a first sweep now, then hourly
        return app
