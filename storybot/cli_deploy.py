"""``storybot deploy``: the configuration files of a server's pieces, rendered from values.

``storybot deploy nginx`` prints the gateway's complete ``nginx.conf``; the defaults are a
production server's (deploy/nginx/README.md), each option changes one value.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from pydantic import ValidationError

from storybot.gateway import GatewayValues, render_nginx
from storybot.gateway.values import HEADERS_MORE_MODULE

_OPTION_OF = {
    "site_domain": "--site-domain",
    "api_domain": "--api-domain",
    "http_port": "--http-port",
    "https_port": "--https-port",
    "cert": "--cert",
    "key": "--key",
    "upstream": "--upstream",
    "static_root": "--static-root",
    "allow_origins": "--allow-origin",
    "acme_root": "--acme-root",
    "user": "--user",
    "run_dir": "--run-dir",
    "listen_address": "--listen-address",
    "headers_more_module": "--headers-more-module",
}


def _absolute(path: object) -> str | None:
    """An absolute path, symbolic links kept (``/srv/storybot/current`` must stay a link)."""
    return None if path is None else os.path.abspath(str(path))


def _problems(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{_OPTION_OF[field]}: {message}" if field in _OPTION_OF else message)
    return "\n".join(lines)


@click.group()
def deploy() -> None:
    """Render the configuration of a server's pieces (nginx) from a few values."""


@deploy.command("nginx")
@click.option(
    "--one-host",
    is_flag=True,
    help="One origin: the UI and /api on the site domain (no API domain, no CORS needed).",
)
@click.option(
    "--site-domain", default="storybot.example.com", show_default=True, help="The UI's host name."
)
@click.option(
    "--api-domain",
    default="api.storybot.example.com",
    show_default=True,
    help="The API's host name (two hosts only).",
)
@click.option("--http-port", type=int, default=80, show_default=True, help="Redirects to HTTPS.")
@click.option("--https-port", type=int, default=443, show_default=True)
@click.option("--cert", help="Certificate chain [default: certbot's, under /etc/letsencrypt/live].")
@click.option("--key", help="Its private key [default: certbot's privkey.pem beside it].")
@click.option(
    "--upstream", default="127.0.0.1:5000", show_default=True, help="Storybot, HOST:PORT."
)
@click.option(
    "--static-root",
    default="/srv/storybot/current/static",
    show_default=True,
    help="The built web UI (index.html and assets/).",
)
@click.option(
    "--allow-origin",
    "allow_origins",
    multiple=True,
    help="An origin whose pages may call the API, besides the site's own; repeatable "
    "[default: http://localhost:3000, the UI's development server].",
)
@click.option(
    "--acme-root", default="/var/www/letsencrypt", show_default=True, help="certbot's webroot."
)
@click.option("--user", default="www-data", show_default=True, help="nginx's worker user.")
@click.option(
    "--run-dir",
    help="Put the pid file, the logs and the temporary files here, not in /run and "
    "/var/log/nginx (an nginx of its own, such as a test's).",
)
@click.option("--listen-address", help="Listen on this address only [default: all].")
@click.option(
    "--headers-more-module",
    default=HEADERS_MORE_MODULE,
    show_default=True,
    help="The headers-more module nginx loads (Debian's path by default).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the configuration to this file instead of standard output.",
)
def nginx(one_host: bool, output: Path | None, **options: object) -> None:
    """Print the gateway's complete nginx.conf: HTTPS, the UI's files, the API proxied."""
    for name in ("cert", "key", "static_root", "acme_root", "run_dir", "headers_more_module"):
        options[name] = _absolute(options[name])
    if not options["allow_origins"]:
        options.pop("allow_origins")
    try:
        values = GatewayValues(form="one-host" if one_host else "two-hosts", **options)
    except ValidationError as exc:
        raise click.UsageError(_problems(exc)) from exc
    text = render_nginx(values)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
