"""``storybot eval``: the story-quality eval on a configured engine, from the terminal."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext


@click.command("eval")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for results.json, report.md and quality.png.",
)
@click.option("--engine", help="An engine name from the settings (default: the default engine).")
@click.option("--subset", is_flag=True, help="Only the small subset the test suite runs.")
@click.option("--case", "case_ids", multiple=True, help="Only this case (repeatable).")
@click.option("--limit", type=int, help="At most this many cases.")
@click.option(
    "--method",
    "methods",
    type=click.Choice(["naive", "storybot"]),
    multiple=True,
    help="Only this method (default: both, side by side).",
)
@with_appcontext
def evaluate(
    out: str,
    engine: str | None,
    subset: bool,
    case_ids: tuple[str, ...],
    limit: int | None,
    methods: tuple[str, ...],
) -> None:
    """Write the quality suite's stories with Storybot and with naive prompting, and compare."""
    from flask_migrate import upgrade

    from storybot.database import write_intent
    from storybot.errors import ApiError
    from storybot.eval.report import table, write_report
    from storybot.eval.run import METHODS, Method, StoryResult, run_eval
    from storybot.eval.suite import load_suite
    from storybot.services import engine_service
    from storybot.services.settings_service import bootstrap_database, get_settings

    upgrade()
    with write_intent():
        bootstrap_database()
    name = engine or get_settings().default_engine
    try:
        chosen = engine_service.get_engine(name)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    suite = load_suite()
    cases = suite.select(subset=subset)
    if case_ids:
        unknown = set(case_ids) - {c.id for c in suite.cases}
        if unknown:
            raise click.ClickException(f"No such case: {', '.join(sorted(unknown))}")
        cases = [c for c in suite.cases if c.id in case_ids]
    skipped = [c for c in cases if c.language not in chosen.languages]
    cases = [c for c in cases if c.language in chosen.languages][:limit]
    if skipped:
        click.echo(
            f"Skipping {len(skipped)} cases in languages '{name}' does not write "
            f"({', '.join(sorted({c.language for c in skipped}))}).",
            err=True,
        )
    chosen_methods: tuple[Method, ...] = tuple(m for m in METHODS if not methods or m in methods)
    results: list[StoryResult] = []
    bar: Any
    with click.progressbar(
        length=len(cases) * len(chosen_methods),
        label=f"Writing {len(cases)} cases on {name}",
        item_show_func=lambda r: f"{r.case} ({r.method})" if r else None,
        file=sys.stderr,
    ) as bar:
        for result in run_eval(chosen, suite, cases, chosen_methods):
            results.append(result)
            bar.update(1, result)
    click.echo(table(results))
    command = "storybot " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    paths = write_report(
        results, Path(out), engine=name, model=chosen.model, command=command.strip()
    )
    click.echo("Wrote " + ", ".join(str(p) for p in paths), err=True)
