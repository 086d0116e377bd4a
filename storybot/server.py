"""Storybot's production server: gunicorn with one process and many threads.

One process keeps one copy of a language model in memory; threads (gthread,
not gevent, whose event loop llama.cpp's calls would block) let long event
streams run beside ordinary requests.

Its metrics are kept in files (prometheus_client's multiprocess mode), so the
counts of a worker that died stay in ``/metrics`` after gunicorn replaced it.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from prometheus_client import multiprocess

from storybot.config import Settings
from storybot.services.components import components

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder(settings: Settings) -> Path:
    """Where ``storybot serve`` keeps its processes' metric files, unless the operator
    named a folder in ``PROMETHEUS_MULTIPROC_DIR``: one per port, as two servers on
    one host may share a data dir, and each empties its folder as it starts."""
    return settings.data_dir / "metrics" / str(settings.port)


def keep_metrics_in_files(settings: Settings) -> None:
    """Put this process in prometheus_client's multiprocess mode, before it serves.

    prometheus_client chooses between in-memory and file-backed values once, as
    it is imported, from ``PROMETHEUS_MULTIPROC_DIR``; ``import storybot`` has
    imported it (the metrics are module constants) before any command runs, and
    the gunicorn worker inherits those values across the fork. So, when the
    variable is unset, this empties ``<data dir>/metrics/<port>``, sets the variable
    and executes the same command again (same process id, same arguments): the
    new interpreter imports prometheus_client in multiprocess mode. A folder the
    operator set is used as it is (emptying it is theirs to do).
    """
    if os.environ.get(METRICS_DIR_VARIABLE):
        return
    folder = metrics_folder(settings).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # a previous run's: its processes are all gone
        stale.unlink()
    os.environ[METRICS_DIR_VARIABLE] = str(folder)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606 (this very command)


def _worker_gone(_arbiter: Any, worker: Any) -> None:
    """A worker exited: its gauges leave the live sums; its counters stay in the totals."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


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
        if os.environ.get(METRICS_DIR_VARIABLE):
            self.cfg.set("child_exit", _worker_gone)

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
