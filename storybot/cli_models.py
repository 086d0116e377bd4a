"""``storybot models``: the GGUF model files here, and ``models pull`` to download one."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from storybot.config import Settings
from storybot.engines.local import list_local_models
from storybot.errors import ApiError
from storybot.services.model_downloads import ModelDownload, ModelDownloads
from storybot.services.model_service import model_folders


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def models(context: click.Context, as_json: bool) -> None:
    """List GGUF models: the built-in one, STORYBOT_MODEL_PATH's folder, <data dir>/models."""
    if context.invoked_subcommand is not None:
        return
    found = list_local_models(model_folders(Settings()))
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("No models found. Install the built-in one with scripts/install.sh.")
        return
    for model in found:
        size = f"{model['size_bytes'] / 1_048_576:.0f} MiB"
        mark = " (built-in)" if model["builtin"] else ""
        click.echo(f"{model['name']}{mark}\t{size}\t{model['path']}")


@models.command()
@click.argument("url")
@click.option("--sha256", help="The file's SHA-256 (hex), checked when the download ends.")
def pull(url: str, sha256: str | None) -> None:
    """Download the GGUF model at URL into <data dir>/models, with a progress bar."""
    settings = Settings()
    manager = ModelDownloads(settings.models_dir, reserve_bytes=settings.download_reserve_bytes)
    try:
        download = manager.start(url, sha256)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    try:
        _follow(download)
    except KeyboardInterrupt:
        download.cancel()
        raise click.ClickException("Cancelled; the partial file was removed.") from None
    state = download.state()
    if state.status != "done":
        raise click.ClickException(state.error_message or f"The download ended {state.status}.")
    name = Path(state.file_name).stem
    click.echo(f"Saved {state.path} ({state.bytes_done / 1_048_576:,.0f} MiB).")
    click.echo(
        "To write stories with it: open Settings, find it under the model files and press "
        '"Use it", or call the API of the running server:\n'
        f"  curl -X POST http://127.0.0.1:{settings.port}/api/models/{name}/engine "
        '-H \'Content-Type: application/json\' -d \'{"languages": ["en", "ja"]}\''
    )


def _follow(download: ModelDownload) -> None:
    """Show a progress bar until the download ends (the size shows once the server sends it)."""
    while download.state().bytes_total is None and not download.ended:
        time.sleep(0.05)
    total = download.state().bytes_total
    if total is None:  # the server did not say how large: count the MiB instead
        while not download.ended:
            click.echo(f"{download.state().bytes_done / 1_048_576:,.0f} MiB", err=True)
            time.sleep(1.0)
        return
    with click.progressbar(
        length=total, label=download.state().file_name, show_eta=True, file=sys.stderr
    ) as bar:
        shown = 0
        while not download.ended:
            done = download.state().bytes_done
            bar.update(done - shown)
            shown = done
            time.sleep(0.1)
        bar.update(download.state().bytes_done - shown)
