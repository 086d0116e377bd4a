"""How much does the full Storybot app cost over a bare Flask app, on a signed-in
``GET /api/prompts``?

Run it from the project root::

    .venv/bin/python bench/api_overhead.py [--seconds 3] [--threads 8] [--rounds 5]

What it measures
----------------
Requests per second and p50/p99 latency of ``GET /api/prompts`` signed in with
an API token (``Authorization: Bearer sbt_...``): the newest 20 of the
account's exactly 100 prompts, plus the total, while another account has
prompts of its own. Two servers:

* **full**: the real Storybot app, started with ``storybot serve`` (embedded
  gunicorn, one process, gthread). Everything a real request goes through is
  included: the sign-in (the token's lookup, the note of its last use at most
  once a minute), the request limit's count (Flask-Limiter, in memory, with a
  limit no client reaches here), flask-openapi3's query
  validation, the before/after hooks (trace id, write intent, body guard,
  metrics), the pydantic response models, CORS, and the JSON access line that
  Storybot writes to its log file and to standard error (redirected to a file
  in the temporary directory here).
* **bare**: a minimal Flask app (``bare_app.py``) that looks the token up with
  the same statement as Storybot (its SHA-256, joined with its account), runs
  the same SQLAlchemy statements (``count(*)`` and the newest ``limit + 1`` rows
  of the account's ``Prompt`` rows, newest first) on the same SQLite file and
  returns the same JSON document, built from plain dicts. It is served by the
  same gunicorn settings (1 worker, gthread, the same thread count, keep-alive
  5 s); it writes no access log, as gunicorn's own access log is off for both
  servers.

Before measuring, the two JSON answers are checked to be equal, so that both
servers do the same work for the client, and both must refuse the request
without the token (401).

How
---
A fresh SQLite database is created in a temporary directory with the real
migrations (``storybot.cli.prepare_database``); the service layer creates the
first admin, a member (with the example prompts), the admin's API token, and
fills the admin's library up to exactly 100 prompts through
``prompt_service.create_prompt``. Both servers run as child
processes on free ports of 127.0.0.1 and read that one file.

The load comes from this process: ``--threads`` client threads, each with its
own keep-alive ``http.client`` connection (lighter than ``requests``, so that
on a small machine the client takes less CPU from the server). Each server
gets a warm-up, then ``--rounds`` rounds of ``--seconds`` each, in the order
full/bare, bare/full, ... so that machine noise hits both alike. The summary
gives the median of the per-round figures; the server's CPU time per request
(read from ``/proc``, Linux only) is shown as well, because it does not depend
on whether the client or the server is the bottleneck.

The exit status is 0 when the benchmark ran, whatever the ratio; it is not 0
when something broke (a server did not start, answered an error, or the two
answers differ). The servers are always stopped before exit.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bare_app import ENDPOINT, PAGE_LIMIT, BareServer
from sqlalchemy import func, select
from support import HOST, ServerProcess, child_env, free_port, percentile, storybot_env

from storybot.models import Prompt

PROMPT_COUNT = 100
ADMIN_EMAIL = "bench-admin@example.com"
MEMBER_EMAIL = "bench-member@example.com"
DEFAULT_SERVER_THREADS = 32  # as in docs/performance.md (Storybot's own default is now 600)
WARMUP_SECONDS = 1.5
RPS_TARGET = 0.8
# Storybot counts every API request against a per-account limit (1200 a minute by
# default): here the counting is measured, the refusals are not. A limit per second
# keeps the moving window as short as a real server's.
RATE_LIMIT = "100000 per second"


# --------------------------------------------------------------------------- the database


@dataclass(frozen=True)
class BenchDatabase:
    """The prepared database and the API token whose account owns the 100 prompts."""

    path: Path
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers that sign a request in with the token."""
        return {"Authorization": f"Bearer {self.token}"}


def prepare_benchmark_database(data_dir: Path) -> BenchDatabase:
    """Migrate a fresh SQLite database in ``data_dir``; two accounts, the first with a token
    and exactly 100 prompts."""
    import secrets

    from storybot import create_app
    from storybot.cli import prepare_database
    from storybot.config import Settings
    from storybot.extensions import db
    from storybot.schemas.prompts import PromptCreate
    from storybot.services import account_service, token_service
    from storybot.services.ownership import acting_as
    from storybot.services.prompt_service import create_prompt

    database_path = data_dir / "db.sqlite3"
    settings = Settings(
        env="development",
        data_dir=data_dir,
        database_url=f"sqlite:///{database_path}",
        log_file=data_dir / "logs" / "storybot.log",
    )
    app = create_app(settings)
    prepare_database(app)  # migrations, default settings
    with app.app_context():
        password = secrets.token_urlsafe(16)
        admin = account_service.create_first_admin(ADMIN_EMAIL, password)
        account_service.create_user(MEMBER_EMAIL, password)  # prompts the admin must not see
        token = token_service.create_token(admin.id, "bench").token
        admin_id = admin.id
        mine = Prompt.owner_id == admin_id
        existing = db.session.scalar(select(func.count()).select_from(Prompt).where(mine)) or 0
        for i in range(existing, PROMPT_COUNT):
            data: dict[str, Any]
            if i % 3 == 0:
                data = {
                    "content": f"A bedtime story about a brave {{{{animal}}}} number {i}, "
                    "for {{reader.name}}, who learns to share.",
                    "title": f"Brave animal {i}",
                    "tags": ["bedtime", f"set-{i % 7}"],
                }
            elif i % 3 == 1:
                data = {
                    "content": f"{{{{hero}}}}が森で{{{{thing}}}}を見つける物語、その{i}。",
                    "title": f"森の物語 {i}",
                    "tags": ["日本語", "forest"],
                    "variables": [
                        {
                            "name": "thing",
                            "type": "choice",
                            "options": ["宝物", "手紙", "鍵"],
                            "default": "鍵",
                        }
                    ],
                }
            else:
                data = {
                    "content": f"Story {i}: a robot who wants to paint the sea. " * 4,
                    "tags": ["robots"],
                }
            with acting_as(admin_id):
                create_prompt(PromptCreate.model_validate(data))
        total = db.session.scalar(select(func.count()).select_from(Prompt).where(mine))
        db.session.remove()
        db.engine.dispose()
    if total != PROMPT_COUNT:
        raise RuntimeError(f"expected {PROMPT_COUNT} prompts of the admin, found {total}")
    return BenchDatabase(database_path, token)


# --------------------------------------------------------------------------- the servers


def full_server(database_path: Path, work_dir: Path, threads: int) -> ServerProcess:
    """``storybot serve`` on the benchmark database."""
    port = free_port()
    env = storybot_env(database_path.parent, port, threads)
    env["STORYBOT_RATE_LIMIT"] = RATE_LIMIT
    command = [sys.executable, "-m", "storybot", "serve"]
    return ServerProcess("full", command, env, port, work_dir / "full-output.txt")


def bare_server(database_path: Path, work_dir: Path, threads: int) -> ServerProcess:
    """This file's bare app on the benchmark database."""
    port = free_port()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-bare",
        str(database_path),
        "--port",
        str(port),
        "--server-threads",
        str(threads),
    ]
    return ServerProcess("bare", command, child_env({}), port, work_dir / "bare-output.txt")


def start_and_wait(servers: list[ServerProcess], headers: dict[str, str]) -> None:
    """Start every server, then wait until each answers ``GET /api/prompts`` with 200."""
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_ready(functools.partial(_answers, server.port, headers))


def _answers(port: int, headers: dict[str, str]) -> bool:
    """True when a signed-in ``GET /api/prompts`` answers 200 on ``port``."""
    try:
        return fetch(port, ENDPOINT, headers)[0] == 200
    except OSError:
        return False


# --------------------------------------------------------------------------- the load


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET on a new connection: status and body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class RoundResult:
    """The figures of one load run against one server."""

    server: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms_per_request: float | None
    client_cpu_percent: float


def run_load(
    server: ServerProcess, seconds: float, threads: int, headers: dict[str, str]
) -> RoundResult:
    """Send ``GET /api/prompts`` with ``headers`` from ``threads`` keep-alive clients for
    ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    finished = [0.0] * threads
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    deadline = [0.0]

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        mine = latencies[index]
        try:
            try:
                conn.connect()
            except OSError:
                ready.abort()  # the benchmark thread stops waiting and reports the failure
                raise
            ready.wait()
            go.wait()
            end = deadline[0]
            while (started := time.perf_counter()) < end:
                try:
                    conn.request("GET", ENDPOINT, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors[index] += 1
                    conn.close()  # the next request opens a new connection
                    continue
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    errors[index] += 1
                if response.will_close:
                    conn.close()
        finally:
            finished[index] = time.perf_counter()
            conn.close()

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        ready.wait(timeout=30)
    except threading.BrokenBarrierError as exc:
        go.set()
        raise RuntimeError(f"could not connect to the {server.name} server") from exc
    cpu_before = server.cpu_seconds()
    client_cpu_before = time.process_time()
    start = time.perf_counter()
    deadline[0] = start + seconds
    go.set()
    for worker in workers:
        worker.join()
    elapsed = max(finished) - start
    client_cpu = time.process_time() - client_cpu_before
    cpu_after = server.cpu_seconds()

    values = sorted(v for per_thread in latencies for v in per_thread)
    count = len(values)
    server_cpu = None
    if cpu_before is not None and cpu_after is not None and count:
        server_cpu = (cpu_after - cpu_before) * 1000 / count
    return RoundResult(
        server=server.name,
        requests=count,
        errors=sum(errors),
        seconds=elapsed,
        rps=count / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(values, 0.50) * 1000,
        p99_ms=percentile(values, 0.99) * 1000,
        server_cpu_ms_per_request=server_cpu,
        client_cpu_percent=100 * client_cpu / elapsed if elapsed > 0 else 0.0,
    )


# --------------------------------------------------------------------------- reporting


def _cpu(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def format_row(label: str, result: RoundResult) -> str:
    """One line of the results table."""
    return (
        f"{label:<8}{result.server:<6}{result.requests:>9}{result.rps:>9.1f}"
        f"{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
        f"{_cpu(result.server_cpu_ms_per_request):>16}{result.client_cpu_percent:>11.0f}%"
    )


def table_header(label: str) -> str:
    """The header of the results table, ``label`` naming the first column."""
    return (
        f"{label:<8}{'server':<6}{'requests':>9}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'srv CPU ms/req':>16}{'client CPU':>12}"
    )


def median_result(server: str, results: list[RoundResult]) -> RoundResult:
    """The per-round median of every figure of one server."""
    mine = [r for r in results if r.server == server]
    cpus = [r.server_cpu_ms_per_request for r in mine if r.server_cpu_ms_per_request is not None]
    return RoundResult(
        server=server,
        requests=int(statistics.median(r.requests for r in mine)),
        errors=sum(r.errors for r in mine),
        seconds=statistics.median(r.seconds for r in mine),
        rps=statistics.median(r.rps for r in mine),
        p50_ms=statistics.median(r.p50_ms for r in mine),
        p99_ms=statistics.median(r.p99_ms for r in mine),
        server_cpu_ms_per_request=statistics.median(cpus) if len(cpus) == len(mine) else None,
        client_cpu_percent=statistics.median(r.client_cpu_percent for r in mine),
    )


# --------------------------------------------------------------------------- main


def check_same_answer(full: ServerProcess, bare: ServerProcess, headers: dict[str, str]) -> None:
    """Raise unless both servers return the same JSON document for the signed-in request,
    and both refuse it without the token."""
    answers = []
    for server in (full, bare):
        status, body = fetch(server.port, ENDPOINT, {})
        if status != 401:
            raise RuntimeError(f"the {server.name} server answered {status} without the token")
        status, body = fetch(server.port, ENDPOINT, headers)
        if status != 200:
            raise RuntimeError(f"the {server.name} server answered {status}: {body[:500]!r}")
        answers.append(json.loads(body))
    full_doc, bare_doc = answers
    if full_doc != bare_doc:
        raise RuntimeError(
            "the bare app's JSON differs from Storybot's:\n"
            f"full: {json.dumps(full_doc, ensure_ascii=False)[:800]}\n"
            f"bare: {json.dumps(bare_doc, ensure_ascii=False)[:800]}"
        )
    if full_doc["total"] != PROMPT_COUNT or len(full_doc["items"]) != PAGE_LIMIT:
        raise RuntimeError(f"unexpected page: total {full_doc['total']}, {len(full_doc['items'])}")


def benchmark(seconds: float, threads: int, rounds: int, server_threads: int) -> int:
    """Run the whole benchmark and print its results; the process exit status."""
    with tempfile.TemporaryDirectory(prefix="storybot-bench-") as tmp:
        work_dir = Path(tmp)
        data_dir = work_dir / "data"
        prepared = time.perf_counter()
        database = prepare_benchmark_database(data_dir)
        database_path, headers = database.path, database.headers
        print(
            f"database: {PROMPT_COUNT} prompts, prepared in {time.perf_counter() - prepared:.1f}s"
        )
        servers = [
            full_server(database_path, work_dir, server_threads),
            bare_server(database_path, work_dir, server_threads),
        ]
        full, bare = servers
        try:
            start_and_wait(servers, headers)
            check_same_answer(full, bare, headers)
            print(
                f"GET {ENDPOINT} (bearer token): full on :{full.port}, bare on :{bare.port}; "
                "gunicorn 1 worker, gthread, {server_threads} threads; {threads} client threads, "
                f"{rounds} rounds x {seconds:g}s"
            )
            for server in servers:
                run_load(server, WARMUP_SECONDS, threads, headers)

            print()
            print(table_header("round"))
            results: list[RoundResult] = []
            for number in range(1, rounds + 1):
                order = servers if number % 2 else list(reversed(servers))
                for server in order:
                    result = run_load(server, seconds, threads, headers)
                    results.append(result)
                    print(format_row(str(number), result), flush=True)
        finally:
            for server in servers:
                server.stop()

        full_median = median_result("full", results)
        bare_median = median_result("bare", results)
        print()
        print(f"median of {rounds} rounds (srv CPU: server process CPU time per request):")
        print(table_header(""))
        print(format_row("", full_median))
        print(format_row("", bare_median))
        print()
        print(
            f"p50 ms full/bare: {full_median.p50_ms:.2f} / {bare_median.p50_ms:.2f}   "
            f"p99 ms full/bare: {full_median.p99_ms:.2f} / {bare_median.p99_ms:.2f}"
        )
        ratio = full_median.rps / bare_median.rps if bare_median.rps else float("nan")
        print(f"ratio full/bare rps: {ratio:.2f} (target >= {RPS_TARGET})")
        errors = full_median.errors + bare_median.errors
        if errors:
            print(f"{errors} requests failed; see the servers' output", file=sys.stderr)
            return 1
        return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(
        description="Requests per second and latency of GET /api/prompts: Storybot vs bare Flask."
    )
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="length of each round per server (default 3)"
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="concurrent client threads (default 8)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds per server (default 5)"
    )
    parser.add_argument(
        "--server-threads",
        type=int,
        default=DEFAULT_SERVER_THREADS,
        help=f"gunicorn threads of both servers (default {DEFAULT_SERVER_THREADS})",
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", type=Path, metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.threads < 1 or args.rounds < 1 or args.server_threads < 1:
        parser.error("--seconds must be above 0; --threads, --rounds, --server-threads >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: the benchmark, or (internally) the bare server it starts."""
    args = parse_args(argv)
    if args.serve_bare is not None:
        BareServer(args.serve_bare, args.port, args.server_threads).run()
        return 0
    return benchmark(args.seconds, args.threads, args.rounds, args.server_threads)


if __name__ == "__main__":
    sys.exit(main())
