"""Alembic environment: runs migrations on the app's database engine."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app

from storybot.database import is_modelled

log = logging.getLogger("alembic.env")
config = context.config


def _metadata():  # type: ignore[no-untyped-def]
    return current_app.extensions["migrate"].db.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``storybot db upgrade --sql``)."""
    url = str(current_app.extensions["migrate"].db.engine.url).replace("%", "%%")
    context.configure(
        url=url, target_metadata=_metadata(), literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection.

    On SQLite, foreign keys are switched off while migrating: batch mode
    recreates tables, and with foreign keys on that would cascade or fail.
    """
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # Outside a transaction (the pragma is ignored inside one).
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            options = {
                "render_as_batch": True,
                "compare_type": True,
                "include_object": is_modelled,
            }
            options.update(current_app.extensions["migrate"].configure_args)
            context.configure(connection=connection, target_metadata=_metadata(), **options)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if is_sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
