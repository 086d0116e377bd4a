"""Where does one ``GET /api/prompts`` spend its time, in the full app and in the bare one?

Run it from the project root::

    .venv/bin/python bench/request_profile.py [--requests 3000] [--profile full|bare] [--top 40]
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \
        .venv/bin/python bench/request_profile.py --callgrind full|bare [--requests 100]

Both apps are built in this process on a fresh copy of ``api_overhead.py``'s
database and called through their WSGI interface with its API token, with no server and no
socket, so that what is measured is the app's own work per request: the full
app with the logging ``storybot serve`` sets up (the JSON log file, and the
terminal handler writing to a file here), the bare app as ``api_overhead.py``
serves it. Each app answers ``--requests`` requests after a warm-up, in three
alternating rounds; the figure is the process CPU time per request (median
of the rounds), steadier on a shared machine than requests per second.

``--profile NAME`` then runs that app's requests once more under cProfile and
prints the ``--top`` functions by cumulative time (``--sort tottime`` for their
own time), which is how the changes in ``docs/performance.md`` were found.

``--callgrind NAME`` measures nothing itself: after a warm-up it sends that
app ``--requests`` requests from inside one ``functools.reduce`` call, so that
callgrind started as above counts the instructions of those requests alone.
Divided by ``--requests`` (100 is plenty), that count is the same from run to
run within a fraction of a percent whatever else the machine is doing (set
``PYTHONHASHSEED=0`` as well), which times on a shared machine are not; it
does not see cache misses or the kernel, so the CPU times stay the final word.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from api_overhead import RATE_LIMIT, prepare_benchmark_database
from bare_app import ENDPOINT, create_bare_app
from werkzeug.test import EnvironBuilder

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ROUNDS = 3


def full_app(data_dir: Path, terminal_log: Path) -> WsgiApp:
    """The Storybot app with the logging of ``storybot serve``."""
    from storybot import create_app
    from storybot.config import Settings
    from storybot.observability.logs import configure_logging

    settings = Settings(
        env="development",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'db.sqlite3'}",
        log_file=data_dir / "logs" / "storybot.log",
        rate_limit=RATE_LIMIT,
    )
    # The terminal handler writes to stderr; here stderr goes to a file, as under a service.
    sys.stderr = terminal_log.open("w", encoding="utf-8")
    configure_logging(settings.log_file, settings.log_level)
    app: WsgiApp = create_app(settings)
    return app


def call(app: WsgiApp, environ: dict[str, Any]) -> bytes:
    """One request through the WSGI interface; the body, after checking the status."""
    status: list[str] = []

    def start_response(code: str, _headers: list[Any], _exc: Any = None) -> None:
        status.append(code)

    result = app(dict(environ), start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{ENDPOINT} answered {status}: {body[:300]!r}")
    return body


def cpu_per_request(app: WsgiApp, environ: dict[str, Any], count: int) -> float:
    """Process CPU milliseconds per request over ``count`` requests."""
    started = time.process_time()
    for _ in range(count):
        call(app, environ)
    return (time.process_time() - started) * 1000 / count


def main(argv: list[str] | None = None) -> int:
    """Measure both apps, then profile one if asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per round")
    parser.add_argument("--profile", choices=["full", "bare"], help="profile this app")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--top", type=int, default=40, help="functions to print")
    parser.add_argument("--save", type=Path, help="also write the profile to this pstats file")
    parser.add_argument(
        "--callgrind", choices=["full", "bare"], help="only run this app's requests for callgrind"
    )
    args = parser.parse_args(argv)

    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="storybot-profile-") as tmp:
        data_dir = Path(tmp) / "data"
        database = prepare_benchmark_database(data_dir)
        apps = {
            "full": full_app(data_dir, Path(tmp) / "terminal.log"),
            "bare": create_bare_app(database.path),
        }
        environ = EnvironBuilder(
            path=ENDPOINT, method="GET", headers=database.headers
        ).get_environ()
        if json.loads(call(apps["full"], environ)) != json.loads(call(apps["bare"], environ)):
            raise RuntimeError("the two apps answer different JSON")
        if args.callgrind:
            # A short warm-up: the token's last use, noted at the first request, is then
            # not noted again (once a minute) during the counted requests.
            app = apps[args.callgrind]
            cpu_per_request(app, environ, 50)
            functools.reduce(lambda _acc, _i: call(app, environ), range(args.requests), b"")
            print(f"{args.callgrind}: {args.requests} requests", file=out)
            return 0
        for app in apps.values():
            cpu_per_request(app, environ, max(200, args.requests // 10))  # warm-up

        figures: dict[str, list[float]] = {name: [] for name in apps}
        for number in range(ROUNDS):
            order = list(apps) if number % 2 == 0 else list(reversed(apps))
            for name in order:
                figures[name].append(cpu_per_request(apps[name], environ, args.requests))
        full = statistics.median(figures["full"])
        bare = statistics.median(figures["bare"])
        for name, values in figures.items():
            rounds = ", ".join(f"{v:.3f}" for v in values)
            print(f"{name}: {statistics.median(values):.3f} ms CPU/request ({rounds})", file=out)
        print(f"bare/full CPU: {bare / full:.2f}", file=out)

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                call(apps[args.profile], environ)
            profiler.disable()
            if args.save:
                profiler.dump_stats(args.save)
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats(args.sort).print_stats(args.top)
            print(text.getvalue(), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
