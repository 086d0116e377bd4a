"""Storybot's production server: gunicorn with one process and many threads.

One process keeps one copy of a language model in memory; threads (gthread,
not gevent, whose event loop llama.cpp's calls would block) let long event
streams run beside ordinary requests.

Its metrics are kept in files (prometheus_client's multiprocess mode), so the
counts of a worker that died stay in ``/metrics`` after gunicorn replaced it.

A server's own gunicorn settings (timeouts, limits) come from the Python file
``STORYBOT_GUNICORN_CONFIG`` names (``deploy/gunicorn/gunicorn.conf.py``), read
as gunicorn reads its ``-c`` file, again at each SIGHUP; what Storybot derives
from its own settings (address, one worker, its threads, logging) stays its own.
"""

from __future__ import annotations

import logging
import os
import runpy
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.config import Config
from gunicorn.glogging import Logger
from prometheus_client import multiprocess

from storybot.config import ConfigError, Settings
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


# gunicorn settings that Storybot derives from its own, with the setting to change instead.
OWN_SETTINGS = {
    "bind": "STORYBOT_HOST and STORYBOT_PORT",
    "workers": "nothing: one process keeps one copy of a model; add queue workers instead",
    "worker_class": "nothing: gthread (an event loop would block on llama.cpp's calls)",
    "threads": "STORYBOT_THREADS",
    "accesslog": "nothing: Storybot writes its own access line, with the trace id",
    "errorlog": "STORYBOT_LOG_FILE",
    "logger_class": "STORYBOT_LOG_FILE and STORYBOT_LOG_LEVEL",
    "loglevel": "STORYBOT_LOG_LEVEL",
    "when_ready": "nothing: Storybot says where it listens",
    "child_exit": "nothing: it keeps a dead worker's metrics right",
    "proc_name": "nothing",
}


def gunicorn_file_options(path: Path, known: set[str]) -> dict[str, Any]:
    """The gunicorn settings a configuration file sets: its module-level names that are
    gunicorn settings (``known``), as gunicorn's own ``-c`` file; other names are ignored.

    Raises :class:`ConfigError` when the file cannot be run, or sets a setting Storybot
    derives from its own (:data:`OWN_SETTINGS`).
    """
    try:
        names = runpy.run_path(str(path), run_name="__config__")
    except Exception as exc:
        raise ConfigError(f"The gunicorn configuration {path} cannot be read: {exc!r}") from exc
    options = {name: value for name, value in names.items() if name in known}
    owned = sorted(options.keys() & OWN_SETTINGS.keys())
    if owned:
        name = owned[0]
        raise ConfigError(
            f"The gunicorn configuration {path} sets {name}, which Storybot sets itself; "
            f"remove it (to change it, set {OWN_SETTINGS[name]})"
        )
    return options


def _check_timeouts(cfg: Any, path: Path | None) -> None:
    """Before gunicorn 27 a retiring gthread worker stopped beating: a timeout shorter than
    the graceful timeout had the master kill it before its open streams' time was up."""
    if cfg.timeout and cfg.timeout < cfg.graceful_timeout:
        raise ConfigError(
            f"gunicorn's timeout ({cfg.timeout} s) is shorter than its graceful_timeout "
            f"({cfg.graceful_timeout} s){f' in {path}' if path else ''}: a retiring worker "
            "may stop beating, and be killed before its open streams' time is up"
        )


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


def _embedded_options(settings: Settings) -> dict[str, Any]:
    """Gunicorn settings derived from Storybot's: right for a laptop, and the base of a server's."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        # Open connections at once: a thread each for the busy ones, as many idle.
        "worker_connections": max(1000, 2 * settings.threads),
        "accesslog": None,  # Storybot writes its own access line, with the trace id
        "logger_class": StorybotLogger,
        "proc_name": "storybot",
        "control_socket_disable": True,  # no shared socket in $HOME for several servers
    }


def configure_gunicorn(cfg: Any, settings: Settings) -> None:
    """Set gunicorn's ``cfg``: the embedded settings, then the file's
    (``STORYBOT_GUNICORN_CONFIG``); raise :class:`ConfigError` when the file is wrong."""
    for key, value in _embedded_options(settings).items():
        cfg.set(key, value)
    path = settings.gunicorn_config
    if path is not None:
        for key, value in gunicorn_file_options(path, set(cfg.settings)).items():
            cfg.set(key, value)
    _check_timeouts(cfg, path)


def check_gunicorn_config(settings: Settings) -> None:
    """Raise :class:`ConfigError` when ``storybot serve`` could not configure gunicorn."""
    configure_gunicorn(Config(), settings)


class StorybotServer(BaseApplication):  # type: ignore[misc]
    """An embedded gunicorn that builds the Storybot app inside its worker."""

    def __init__(self, settings: Settings, on_ready: Any = None) -> None:
        self.settings = settings
        self.on_ready = on_ready
        super().__init__()

    def load_config(self) -> None:
        """Gunicorn settings derived from Storybot's, then the configuration file's."""
        configure_gunicorn(self.cfg, self.settings)
        if self.on_ready is not None:
            self.cfg.set("when_ready", lambda _server: self.on_ready())
        if os.environ.get(METRICS_DIR_VARIABLE):
            self.cfg.set("child_exit", _worker_gone)

    def reload(self) -> None:
        """SIGHUP: read the configuration file again; a file that became wrong is logged
        and the running configuration kept (the new worker starts with it)."""
        try:
            check_gunicorn_config(self.settings)
        except ConfigError as exc:
            logging.getLogger("gunicorn.error").error("%s; kept the running configuration", exc)
            return
        super().reload()

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
