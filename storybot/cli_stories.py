"""``storybot generate`` (a story from the terminal) and ``storybot stories`` (the library)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from storybot.cli_accounts import account_id
from storybot.errors import ApiError


@click.command()
@click.argument("prompt")
@click.option("--profile", "profile", help="The reader, by name or id.")
@click.option("--length", type=click.Choice(["short", "medium", "long"]))
@click.option("--tone", help="warm, gentle, funny, adventurous, sleepy or calm")
@click.option("--language", type=click.Choice(["en", "ja"]))
@click.option("--engine", help="An engine name from the settings (default: the default engine).")
@click.option(
    "--account", help="The account the story is for, by email (default: the first admin)."
)
@with_appcontext
def generate(
    prompt: str,
    profile: str | None,
    length: str | None,
    tone: str | None,
    language: str | None,
    engine: str | None,
    account: str | None,
) -> None:
    """Write a story for PROMPT and stream it to the terminal as it is written."""
    from flask_migrate import upgrade

    from storybot.database import write_intent
    from storybot.extensions import db
    from storybot.observability.tracing import current_trace_id, new_trace_id
    from storybot.schemas.stories import StoryCreate
    from storybot.services import profile_service, story_service
    from storybot.services.components import components
    from storybot.services.ownership import acting_as
    from storybot.services.settings_service import bootstrap_database
    from storybot.services.story_events import events

    upgrade()
    owner = account_id(account)
    trace_id = new_trace_id()
    current_trace_id.set(trace_id)
    try:
        with write_intent(), acting_as(owner):
            bootstrap_database()
            reader = profile_service.find_profile(profile) if profile else None
            request = StoryCreate.model_validate(
                {
                    "prompt": prompt,
                    "profile_id": reader.id if reader else None,
                    "length": length,
                    "tone": tone,
                    "language": language,
                    "engine": engine,
                }
            )
            story_id = story_service.start(request, trace_id=trace_id).id
            # End the transaction that reading the id began: holding SQLite's
            # write lock here would stall the runner's writes.
            db.session.commit()
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Story {story_id} (trace id {trace_id})", err=True)
    status = "failed"
    try:
        # Another process's runner may write the story, so look at the database
        # every half second as well as on this process's own wake-ups.
        parts = components(app)
        for event in events(app, parts.bus, parts.reads, story_id, 0, heartbeat=0.5):
            if event is None:
                continue
            if event.name == "text":
                sys.stdout.write(event.data["text"])
                sys.stdout.flush()
            elif event.name == "status" and event.data["status"] == "queued":
                wait = event.data.get("wait_seconds")
                about = f", about {wait} s" if wait is not None else ""
                click.echo(f"[waiting: {event.data['queue_position']} ahead{about}]", err=True)
            elif event.name != "status":
                status = event.name
                reason = event.data.get("failure_reason")
                click.echo("")
                click.echo(f"[{status}{': ' + reason if reason else ''}]", err=True)
    except KeyboardInterrupt:
        with app.app_context(), write_intent(), acting_as(owner):
            story_service.cancel(story_id)
        click.echo("\n[cancelled]", err=True)
        status = "cancelled"
    finally:
        components(app).runner.stop()
    if status != "done":
        sys.exit(1)


@click.group()
def stories() -> None:
    """Look after the story library."""


@stories.command()
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    help="Delete stories that ended more than this many days ago "
    "(default: the story_retention_days setting).",
)
@with_appcontext
def prune(days: int | None) -> None:
    """Delete the stories older than the retention period now, as the hourly job does."""
    from flask_migrate import upgrade

    from storybot.services.retention import sweep
    from storybot.services.settings_service import get_settings

    upgrade()
    if days is None and get_settings().story_retention_days is None:
        click.echo(
            "Stories are kept forever: set story_retention_days in Settings "
            "(or give --days) to prune them.",
            err=True,
        )
        return
    deleted = sweep(days)
    click.echo(f"Deleted {deleted} {'story' if deleted == 1 else 'stories'}.")
