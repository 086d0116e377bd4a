"""The ``storybot`` command: serve, db, prompts, backup, restore and openapi (and, from their own
modules, users, tokens, generate, models and eval)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from storybot.cli_accounts import account_id, account_option
from storybot.config import ConfigError, Settings
from storybot.observability.logs import configure_logging


def _settings() -> Settings:
    try:
        settings = Settings()
        settings.check_can_start()
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    return settings


def _create_app() -> Flask:
    from storybot import create_app

    return create_app(_settings())


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from storybot.release import release_info

    click.echo(release_info().describe())
    ctx.exit()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and the release (its id, commit and build time), then exit.",
)
def main() -> None:
    """Storybot: personalized stories written by a language model."""


def prepare_database(app: Flask) -> None:
    """Bring the database to the newest schema and fill its defaults; run once before serving."""
    from storybot.extensions import db
    from storybot.jobs.heartbeat import sweep
    from storybot.services.settings_service import bootstrap_database, get_settings

    with app.app_context():
        upgrade()
        bootstrap_database()
        # Stories a process that is gone was writing: queued to go on, or interrupted.
        sweep(None, resume=get_settings().resume_stories)
        db.engine.dispose()  # no pooled connection may cross into the server's worker


@main.command()
@click.option("--host", help="Address to listen on (default: STORYBOT_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: STORYBOT_PORT or 5000).")
@click.option(
    "--gunicorn-config",
    type=click.Path(dir_okay=False, exists=True),
    help="A gunicorn configuration file (default: STORYBOT_GUNICORN_CONFIG, else none).",
)
def serve(host: str | None, port: int | None, gunicorn_config: str | None) -> None:
    """Upgrade the database, then serve Storybot with gunicorn."""
    from storybot import create_app
    from storybot.server import StorybotServer, check_gunicorn_config, keep_metrics_in_files

    given = {"host": host, "port": port, "gunicorn_config": gunicorn_config}
    overrides = {k: v for k, v in given.items() if v is not None}
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
        settings.check_can_start()
        check_gunicorn_config(settings)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    keep_metrics_in_files(settings)  # may execute this command again, in multiprocess mode
    configure_logging(settings.log_file, settings.log_level)
    app = create_app(settings)
    prepare_database(app)
    with app.app_context():
        from storybot.extensions import db
        from storybot.services.account_service import setup_needed

        first_run = setup_needed()
        db.engine.dispose()  # no pooled connection may cross into the server's worker
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    url = f"http://{shown_host}:{settings.port}/"

    def announce() -> None:
        click.echo(f"Storybot is running at {url}  (API docs: {url}api/docs)", err=True)
        if first_run:
            click.echo(f"Open {url} to create the first account.", err=True)

    StorybotServer(settings, on_ready=announce).run()


@main.group()
def prompts() -> None:
    """Export or import the prompt library as JSON."""


@prompts.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@account_option
@with_appcontext
def export_prompts(path: str, account: str | None) -> None:
    """Write every prompt of an account to PATH (default: standard output)."""
    from storybot.services.ownership import acting_as
    from storybot.services.prompt_service import export_library

    with acting_as(account_id(account)):
        text = export_library().model_dump_json(indent=2)
    if path == "-":
        click.echo(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Exported the prompt library to {path}", err=True)


@prompts.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, allow_dash=True))
@account_option
@with_appcontext
def import_prompts(path: str, account: str | None) -> None:
    """Add or update an account's prompts from an export file at PATH (matched by UUID)."""
    from pydantic import ValidationError

    from storybot.database import write_intent
    from storybot.errors import ApiError
    from storybot.schemas.prompts import PromptLibrary
    from storybot.services.ownership import acting_as
    from storybot.services.prompt_service import import_library

    raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    try:
        library = PromptLibrary.model_validate_json(raw)
        with write_intent(), acting_as(account_id(account)):
            created, updated = import_library(library)
    except ValidationError as exc:
        raise click.ClickException(f"{path} is not a Storybot prompt library: {exc}") from exc
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Imported {created} new and {updated} updated prompts.")


@main.command("openapi")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def openapi_document(path: str) -> None:
    """Write the API's OpenAPI document to PATH (default: standard output).

    It is built from the code alone: no database, no data directory is touched.
    """
    import json
    import tempfile

    from storybot import create_app

    with tempfile.TemporaryDirectory(prefix="storybot-openapi-") as scratch:
        app = create_app(Settings(data_dir=Path(scratch), database_url="sqlite://"))
        text = json.dumps(app.api_doc, indent=2, ensure_ascii=False) + "\n"
    if path == "-":
        click.echo(text, nl=False)
    else:
        Path(path).write_text(text, encoding="utf-8")
        click.echo(f"Wrote the OpenAPI document to {path}", err=True)


def _sqlite_path(settings: Settings) -> Path:
    url = make_url(str(settings.database_url))
    if not settings.is_sqlite or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on a SQLite database file. For PostgreSQL use "
            "pg_dump / pg_restore (see docs/operations.md)."
        )
    return Path(url.database)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """Copy the SQLite database to PATH, consistently, even while Storybot serves."""
    source = _sqlite_path(_settings())
    if not source.exists():
        raise click.ClickException(f"There is no database at {source} yet.")
    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file name.")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    click.echo(f"Backed up {source} to {target}.")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.confirmation_option(prompt="Replace every story, prompt and setting with the backup?")
def restore(path: str) -> None:
    """Replace the SQLite database with the backup at PATH, then upgrade its schema."""
    from storybot import create_app

    settings = _settings()
    target = _sqlite_path(settings)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as src:
            src.execute("SELECT version_num FROM alembic_version").fetchall()
            target.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(target) as dst:
                src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path} is not a Storybot backup: {exc}") from exc
    prepare_database(create_app(settings))
    click.echo(f"Restored {target} from {path}.")


def _register_story_commands() -> None:
    from storybot.cli_accounts import tokens, users
    from storybot.cli_deploy import deploy
    from storybot.cli_eval import evaluate
    from storybot.cli_models import models
    from storybot.cli_stories import generate, stories
    from storybot.cli_worker import worker

    main.add_command(users)
    main.add_command(tokens)
    main.add_command(generate)
    main.add_command(stories)
    main.add_command(models)
    main.add_command(evaluate)
    main.add_command(worker)
    main.add_command(deploy)


_register_story_commands()
