"""Story retention: stories that ended longer ago than the admin's setting are deleted.

:func:`sweep` is one pass, for the command line and the tests; :class:`RetentionJob`
runs it in a small daemon thread once at start and then about hourly. A pass that
finds the setting empty (keep forever) reads one row and does nothing else.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask

from storybot.services import family_data
from storybot.services.settings_service import get_settings

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 3600.0


def sweep(days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete the stories that ended more than ``days`` ago (default: the
    ``story_retention_days`` setting; unset keeps them); returns how many.

    Needs an app context.
    """
    if days is None:
        days = get_settings().story_retention_days
    if days is None:
        return 0
    deleted = family_data.prune_stories(days, now=now)
    if deleted:
        log.info("retention: deleted %d stories that ended more than %d days ago", deleted, days)
    return deleted


class RetentionJob:
    """A daemon thread that sweeps once when started and then every ``interval`` seconds."""

    def __init__(self, app: Flask, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="storybot-retention", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after the pass it is in, and wait for it."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.app.app_context():
                try:
                    sweep()
                except Exception:  # a failed pass (a busy database ...) is tried again later
                    log.exception("retention: the sweep failed")
            if self._stop.wait(self.interval):
                return
