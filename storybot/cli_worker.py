"""``storybot worker``: a process that writes stories taken from the queue on Redis."""

from __future__ import annotations

import time

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from storybot.config import ConfigError, Settings
from storybot.observability.engine_up import EngineProbe
from storybot.observability.logs import configure_logging

SCHEMA_WAIT_SECONDS = 120.0


def _wait_for_schema(app: Flask) -> None:
    """Wait until the database has the newest schema: ``storybot serve`` migrates it,
    and two processes must never migrate one database at once."""
    from storybot.extensions import db, migrate

    deadline = time.monotonic() + SCHEMA_WAIT_SECONDS
    told = False
    with app.app_context():
        head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
        while True:
            with db.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"The database is at schema {current or 'none'}, not {head}: start "
                    "`storybot serve` (which upgrades it) or run `storybot db upgrade`."
                )
            if not told:
                click.echo("Waiting for `storybot serve` to upgrade the database ...", err=True)
                told = True
            time.sleep(1)


def _engine_probes(app: Flask) -> list[EngineProbe]:
    """The engines this worker writes with, read in an app context of its own (a scrape
    comes on prometheus_client's thread)."""
    from storybot.services import engine_service

    with app.app_context():
        return engine_service.engine_probes()


@click.command()
def worker() -> None:
    """Write stories from the queue on Redis (STORYBOT_REDIS_URL), one at a time.

    Start as many as the model's machine can run at once; each keeps one copy
    of a local model. SIGTERM hands the story being written to another worker.
    """
    from prometheus_client import REGISTRY, start_http_server

    from storybot import create_app
    from storybot.jobs.queue_worker import QueueWriter, story_jobs, work
    from storybot.observability.engine_up import EngineUpCollector
    from storybot.services import engine_service, settings_service
    from storybot.services.components import components

    try:
        settings = Settings()
        settings.check_can_start()
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not settings.redis_url:
        raise click.ClickException(
            "storybot worker takes its stories from Redis: set STORYBOT_REDIS_URL "
            "(without it, `storybot serve` writes them itself)"
        )
    configure_logging(settings.log_file, settings.log_level)
    app = create_app(settings)
    _wait_for_schema(app)
    parts = components(app)
    if parts.relay is not None:
        # Its stories' text reaches the viewers of every web process; it has no viewers
        # of its own, so it listens to no other process's.
        parts.relay.start(receive=False)
    if settings.metrics_port:
        REGISTRY.register(EngineUpCollector(lambda: _engine_probes(app)))
        try:  # this process's own metrics, from its default registry
            start_http_server(settings.metrics_port, addr=settings.metrics_host)
        except OSError as exc:
            raise click.ClickException(
                f"The metrics port {settings.metrics_host}:{settings.metrics_port} cannot be "
                f"opened ({exc.strerror}): give each worker on a host its own "
                "STORYBOT_METRICS_PORT, or leave it unset"
            ) from exc
    writer = QueueWriter(
        app,
        parts.bus,
        lambda name: engine_service.registry().get(name),
        story_jobs(settings.redis_url, settings.redis_prefix),
        resume_allowed=lambda: settings_service.get_settings().resume_stories,
    )
    click.echo(f"Storybot worker {writer.identity.id} is waiting for stories.", err=True)
    work(writer)
