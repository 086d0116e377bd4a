"""The web UI: the built single-page app (``web/`` → ``storybot/static``) served at ``/``.

The app's own addresses (``/prompts/5``) are client routes: any GET that is
not a file of the build answers ``index.html`` and the browser's router takes
over. ``/api/...`` and ``/metrics/...`` never fall back: a typo there keeps
its JSON 404, as a program calling the API expects. Files under ``/assets``
carry a content hash in their name, so they are cached for a year; ``index.html``
is revalidated on every load, so a new build is picked up at once.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

DEFAULT_STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSET_MAX_AGE = 365 * 24 * 3600  # hashed names: a changed file is a new URL
FILE_MAX_AGE = 3600  # unhashed files of the build (favicon.svg ...)

bp = Blueprint("web", __name__)

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Storybot</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Storybot's web app is not built yet</h1>
<p>Build it once, then reload this page:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>The API works without it: see <a href="/api/docs">/api/docs</a>.</p>
</body></html>
"""


class ClientPathConverter(PathConverter):
    """A path the web app owns: anything but ``api`` and ``metrics`` and what lies under them."""

    regex = r"(?!(?:api|metrics)(?:/|$))[^/].*?"


def static_dir() -> Path:
    """The folder of the built app (``STORYBOT_STATIC_DIR``, default ``storybot/static``)."""
    return Path(current_app.config["STORYBOT_STATIC_DIR"])


def _index() -> Response:
    folder = static_dir()
    if not (folder / "index.html").is_file():
        response = Response(_NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
        response.headers["Cache-Control"] = "no-store"
        return response
    response = send_from_directory(folder, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index() -> Response:
    """The web app's page."""
    return _index()


@bp.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """A hashed file of the build (script, style, font), cached for a year."""
    response = send_from_directory(static_dir() / "assets", filename, max_age=ASSET_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    return response


@bp.get("/<client_path:path>")
def client_route(path: str) -> Response:
    """A file at the top of the build, or else a client route: the web app's page."""
    if path == "index.html":
        return _index()
    folder = static_dir()
    target = safe_join(str(folder), path)
    if target is not None and Path(target).is_file():
        return send_from_directory(folder, path, max_age=FILE_MAX_AGE)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)  # a missing file (robots.txt ...) is not a page of the app
    return _index()


def register_web(app: Flask) -> None:
    """Serve the built web app at ``/`` (after the API, whose routes take precedence)."""
    app.config.setdefault("STORYBOT_STATIC_DIR", str(DEFAULT_STATIC_DIR))
    app.url_map.converters["client_path"] = ClientPathConverter
    app.register_blueprint(bp)
