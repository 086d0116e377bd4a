"""Stories per minute for 1, 2 and 4 ``storybot worker`` processes behind one web process.

Run it from the project root (about five minutes on two cores, two with ``--quick``)::

    .venv/bin/python bench/workers_scaling.py [--workers 1,2,4] [--stories 40] [--quick]

What it measures
----------------
One ``storybot serve`` (the web process: it only puts jobs on the queue) on a
PostgreSQL database of the run's own (``STORYBOT_BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, where the database is created and
dropped) and Redis (``STORYBOT_BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/0``, with a ``STORYBOT_REDIS_PREFIX`` of the run's own).
Its settings are changed through ``PATCH /api/settings``: a fake engine paced at
``--tokens-per-second`` (``{"type": "fake", "tokens_per_second": R}``, named
``bench``) as the default engine, so that the model is never the limit: it
sleeps between tokens. A short story is its body (about a hundred words, each a
token), a two-sentence closing and a title (each a generation of its own):
3.6 s at the default 50 tokens/s.

For each worker count, that many ``storybot worker`` processes are started
(each with a data directory and log file of its own), a warm-up story per
worker is written, then ``--stories`` stories are asked for at once (8 client
threads, alternating between two accounts, the admin and a member) and the run
waits until every one has ended. The workers are stopped (SIGTERM) before the
next count. Every count runs on the same web process and database, in the same
run, so the ratios compare like with like.

Reported per worker count
-------------------------
* **stories/min**: stories over the time from the first POST sent to the last
  story's ``finished_at``; **ratio**: over the one-worker figure of this run
  (the first count); **ideal**: workers x 60 s over the median time one story
  takes to write, what the workers could do with no time between stories.
* **latency p50/p90/p99** (s): each story's ``finished_at`` minus the moment
  its POST was sent (the same clock: this host's); **wait p50**: ``started_at``
  (the claim) minus the POST; **write p50**: ``finished_at`` minus
  ``started_at``.
* **gap p50/max** (ms): for each worker, its next story's claim minus its
  previous story's end: the time a worker spends between stories (the job's
  end, RQ's next pickup, the claim). The writer of each story is read from the
  database while it runs (``story.writer_id``, polled every 0.1 s from before
  the first POST).
* **busy**: the share of the workers' time spent writing (sum of write times
  over workers x the run's time).
* **POST p50/max** (ms): how long the web process took to answer each POST
  (validate, save the story queued, put a job on the RQ queue, answer with its
  place in the queue), 8 at a time; **cpu**: the web process's CPU per POST
  (ms) while they were asked, which a busy machine does not inflate as much.
* **CPU** (cores, over the measured run): the web process (with its gunicorn
  worker), the workers together, the whole machine, and what is left
  (PostgreSQL, Redis, this client and anything else on the machine); with the
  load average when the count began, and the largest worker's resident memory
  (**RSS**, MB) after the run.

The exit status is 0 when the benchmark ran, whatever the figures. Every child
process is stopped and the database dropped before exit; every wait is bounded.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import os
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from support import (
    StorybotServer,
    StorybotWorker,
    busy_cpu_seconds,
    median,
    percentile,
    postgres_database,
    proc_status,
    sqlalchemy_url,
)

POSTGRES_URL = os.environ.get(
    "STORYBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STORYBOT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
STORY_LENGTH = "short"
MEMBER_EMAIL = "bench-member@example.com"
CLIENT_THREADS = 8
THREADS = 64  # the web process's: nothing streams, only POSTs and a few reads
REQUEST_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.1
ENDED = ("done", "incomplete", "failed", "cancelled", "interrupted")


@dataclass(frozen=True)
class Asked:
    """A story asked for: its id, when its POST was sent and how long the answer took."""

    story_id: int
    sent_at: float  # time.time()
    answer_seconds: float


@dataclass(frozen=True)
class Written:
    """A story as the database has it once it ended (times in Unix seconds)."""

    story_id: int
    status: str
    created_at: float
    started_at: float
    finished_at: float


@dataclass(frozen=True)
class Used:
    """What one count's run cost: cores (over the run) and memory."""

    web_cores: float  # the web process (and its gunicorn worker)
    worker_cores: float  # every worker together
    machine_cores: float  # every process on the machine
    worker_rss_mb: float  # the largest worker's resident memory after the run
    post_cpu_seconds: float  # the web process's CPU while the stories were asked, per POST


@dataclass
class CountResult:
    """The figures of one worker count."""

    workers: int
    stories: int
    ended_ok: int  # done (or incomplete: the fake stream may end at its limit)
    statuses: dict[str, int]
    seconds: float
    per_minute: float
    ideal_per_minute: float
    latency: tuple[float, float, float]  # p50, p90, p99 (s)
    wait_p50: float
    write_p50: float
    gaps_ms: tuple[float, float]  # p50, max
    busy: float
    post_ms: tuple[float, float]  # p50, max
    post_cpu_ms: float  # the web process's CPU per POST, while they were asked
    per_worker: list[int]  # stories each worker wrote
    worker_rss_mb: float  # the largest worker's resident memory after the run
    web_cores: float
    worker_cores: float
    machine_cores: float
    load: float  # 1-minute load average as the count began


# --------------------------------------------------------------------------- the processes


def web_server(work_dir: Path, database: str, prefix: str) -> StorybotServer:
    """The web process (not started): queue workers on Redis, limits beyond the load."""
    server = StorybotServer(work_dir, THREADS, REQUEST_TIMEOUT_SECONDS)
    server.env.update(
        {
            "STORYBOT_DATABASE_URL": database,
            "STORYBOT_REDIS_URL": REDIS_URL,
            "STORYBOT_REDIS_PREFIX": prefix,
            "STORYBOT_RUNNER": "queue",
            # The bench's own requests, from one address and two accounts, are no flood.
            "STORYBOT_RATE_LIMIT": "1000000 per minute",
            "STORYBOT_STORY_RATE_LIMIT": "1000000 per hour",
        }
    )
    return server


def set_up(server: StorybotServer, tokens_per_second: float, stories: int) -> str:
    """The fake engine as the default, room for every story, and a second account;
    that account's API token."""
    engines = {
        "local": {"type": "local"},
        "bench": {"type": "fake", "tokens_per_second": tokens_per_second},
    }
    room = min(1000, stories + 10)
    status, body = server.request(
        "PATCH",
        "/api/settings",
        {
            "engines": engines,
            "default_engine": "bench",
            "max_stories_per_account": room,
            "max_queued_stories": room,
        },
    )
    if status != 200:
        raise RuntimeError(f"PATCH /api/settings answered {status}: {body}")
    account = {"email": MEMBER_EMAIL, "password": secrets.token_urlsafe(16)}
    status, body = server.request("POST", "/api/users", account)
    if status != 201:
        raise RuntimeError(f"POST /api/users answered {status}: {body}")
    return server.create_token(MEMBER_EMAIL)


# --------------------------------------------------------------------------- one count


def ask(server: StorybotServer, prompt: str, token: str | None = None) -> Asked:
    """One ``POST /api/stories``: the story's id and when it was asked."""
    sent = time.time()
    began = time.perf_counter()
    status, body = server.request(
        "POST", "/api/stories", {"prompt": prompt, "length": STORY_LENGTH}, token=token
    )
    answered = time.perf_counter() - began
    if status != 202:
        raise RuntimeError(f"POST /api/stories answered {status}: {body}")
    return Asked(int(body["id"]), sent, answered)


def ask_at_once(server: StorybotServer, tokens: list[str | None], count: int) -> list[Asked]:
    """``count`` stories asked for at once by ``CLIENT_THREADS`` clients, the accounts
    taking turns."""
    with concurrent.futures.ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = [
            pool.submit(ask, server, f"Story {index} for the scaling run.", tokens[index % 2])
            for index in range(count)
        ]
        return [future.result() for future in futures]


class WriterWatch:
    """Which worker writes which story: the running stories' ``writer_id`` (ended stories
    name none), read every ``POLL_SECONDS`` in a thread from before the first POST."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.writers: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="writer-watch", daemon=True)

    def __enter__(self) -> WriterWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _watch(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.wait(POLL_SECONDS):
                rows = conn.execute(
                    "SELECT id, writer_id FROM story WHERE status = 'running'"
                ).fetchall()
                for story_id, writer in rows:
                    if writer:
                        self.writers.setdefault(story_id, writer)


def wait_until_ended(dsn: str, story_ids: list[int], timeout: float) -> list[Written]:
    """Poll the database until every story has ended (bounded): the stories as they ended."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT status FROM story WHERE id = ANY(%s)", (story_ids,)
            ).fetchall()
            left = sum(status not in ENDED for (status,) in rows)
            if not left:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{left} of {len(story_ids)} stories did not end in time")
            time.sleep(POLL_SECONDS)
        ended = conn.execute(
            "SELECT id, status, extract(epoch FROM created_at), extract(epoch FROM started_at),"
            " extract(epoch FROM finished_at) FROM story WHERE id = ANY(%s)",
            (story_ids,),
        ).fetchall()
    return [
        Written(row[0], row[1], float(row[2]), float(row[3] or row[2]), float(row[4] or row[2]))
        for row in ended
    ]


def gaps_between_stories(written: list[Written], writers: dict[int, str]) -> list[float]:
    """For each worker, the seconds from the end of one of its stories to its next claim."""
    by_writer: dict[str, list[Written]] = {}
    for story in written:
        if story.story_id in writers:
            by_writer.setdefault(writers[story.story_id], []).append(story)
    gaps: list[float] = []
    for stories in by_writer.values():
        stories.sort(key=lambda s: s.started_at)
        gaps += [b.started_at - a.finished_at for a, b in itertools.pairwise(stories)]
    return gaps


def storybot_cpu(web: StorybotServer, workers: list[StorybotWorker]) -> tuple[float, float]:
    """CPU seconds used so far by the web process (and its gunicorn worker), and by the
    workers together."""
    return web.cpu_seconds() or 0.0, sum(w.cpu_seconds() or 0.0 for w in workers)


def run_count(
    web: StorybotServer,
    env: dict[str, str],
    work_dir: Path,
    dsn: str,
    tokens: list[str | None],
    workers: int,
    stories: int,
) -> CountResult:
    """Start ``workers`` workers, warm them up, write ``stories`` stories, stop them."""
    children: list[StorybotWorker] = []
    try:
        for index in range(workers):
            children.append(StorybotWorker(work_dir, f"w{workers}-{index}", env))
            children[-1].launch()
        for child in children:
            child.wait_ready(child.ready)
        warm = ask_at_once(web, tokens, workers)
        wait_until_ended(dsn, [a.story_id for a in warm], timeout=120)

        load = os.getloadavg()[0]
        with WriterWatch(dsn) as watch:
            cpu_before = storybot_cpu(web, children)
            busy_before = busy_cpu_seconds() or 0.0
            wall_before = time.monotonic()
            asked = ask_at_once(web, tokens, stories)
            post_cpu = (web.cpu_seconds() or 0.0) - cpu_before[0]
            timeout = 60 + 20 * stories / workers
            written = wait_until_ended(dsn, [a.story_id for a in asked], timeout)
            wall = time.monotonic() - wall_before
        writers = watch.writers
        web_cpu, workers_cpu = storybot_cpu(web, children)
        busy = (busy_cpu_seconds() or 0.0) - busy_before
        rss = max((proc_status(c.process.pid) or (0.0, 0))[0] for c in children if c.process)
    finally:
        for child in children:
            child.stop()
    return summarize(
        workers,
        asked,
        written,
        writers,
        children,
        load,
        Used(
            (web_cpu - cpu_before[0]) / wall,
            (workers_cpu - cpu_before[1]) / wall,
            busy / wall,
            rss,
            post_cpu / stories,
        ),
    )


def summarize(
    workers: int,
    asked: list[Asked],
    written: list[Written],
    writers: dict[int, str],
    children: list[StorybotWorker],
    load: float,
    used: Used,
) -> CountResult:
    """One count's figures from what was asked and what the database says."""
    sent = {a.story_id: a.sent_at for a in asked}
    writers = {story_id: w for story_id, w in writers.items() if story_id in sent}
    first_sent = min(sent.values())
    seconds = max(s.finished_at for s in written) - first_sent
    latencies = sorted(s.finished_at - sent[s.story_id] for s in written)
    writes = sorted(s.finished_at - s.started_at for s in written)
    gaps = sorted(gaps_between_stories(written, writers))
    answers = sorted(a.answer_seconds for a in asked)
    statuses: dict[str, int] = {}
    for story in written:
        statuses[story.status] = statuses.get(story.status, 0) + 1
    pids = [child.process.pid for child in children if child.process]
    per_worker = [sum(int(w.split(":")[1]) == pid for w in writers.values()) for pid in pids]
    return CountResult(
        workers=workers,
        stories=len(written),
        ended_ok=statuses.get("done", 0) + statuses.get("incomplete", 0),
        statuses=statuses,
        seconds=seconds,
        per_minute=60 * len(written) / seconds,
        ideal_per_minute=60 * workers / median(writes),
        latency=(
            percentile(latencies, 0.5),
            percentile(latencies, 0.9),
            percentile(latencies, 0.99),
        ),
        wait_p50=median([s.started_at - sent[s.story_id] for s in written]),
        write_p50=median(writes),
        gaps_ms=(percentile(gaps, 0.5) * 1000, (gaps[-1] if gaps else float("nan")) * 1000),
        busy=sum(writes) / (workers * seconds),
        post_ms=(percentile(answers, 0.5) * 1000, answers[-1] * 1000),
        post_cpu_ms=used.post_cpu_seconds * 1000,
        per_worker=per_worker,
        worker_rss_mb=used.worker_rss_mb,
        web_cores=used.web_cores,
        worker_cores=used.worker_cores,
        machine_cores=used.machine_cores,
        load=load,
    )


# --------------------------------------------------------------------------- the report


def table_header() -> str:
    """The header of the results table."""
    return (
        f"{'workers':>7}{'stories':>8}{'ok':>4}{'s':>6}{'st/min':>8}{'ratio':>7}{'ideal':>7}"
        f"{'lat p50':>8}{'p90':>6}{'p99':>6}{'wait':>6}{'write':>6}{'gap p50':>8}{'max':>6}"
        f"{'busy':>6}{'POST p50':>9}{'max':>6}{'cpu':>5}{'CPU web':>8}{'wrk':>6}{'mach':>6}"
        f"{'rest':>6}{'load':>6}{'RSS':>5}  stories per worker"
    )


def format_row(result: CountResult, baseline: float) -> str:
    """One line of the results table; ``baseline``: one worker's stories/min."""
    rest = result.machine_cores - result.web_cores - result.worker_cores
    return (
        f"{result.workers:>7}{result.stories:>8}{result.ended_ok:>4}{result.seconds:>6.1f}"
        f"{result.per_minute:>8.1f}{result.per_minute / baseline:>6.2f}x"
        f"{result.ideal_per_minute / baseline:>6.2f}x"
        f"{result.latency[0]:>8.1f}{result.latency[1]:>6.1f}{result.latency[2]:>6.1f}"
        f"{result.wait_p50:>6.1f}{result.write_p50:>6.2f}"
        f"{result.gaps_ms[0]:>8.0f}{result.gaps_ms[1]:>6.0f}{100 * result.busy:>5.0f}%"
        f"{result.post_ms[0]:>9.0f}{result.post_ms[1]:>6.0f}{result.post_cpu_ms:>5.1f}"
        f"{result.web_cores:>8.2f}{result.worker_cores:>6.2f}{result.machine_cores:>6.2f}{rest:>6.2f}{result.load:>6.2f}"
        f"{result.worker_rss_mb:>5.0f}  {'/'.join(str(n) for n in result.per_worker)}"
    )


def run(counts: list[int], stories: int, tokens_per_second: float) -> list[CountResult]:
    """Every worker count on one web process and one database, in order."""
    prefix = f"storybot-bench-{secrets.token_hex(4)}:"
    results: list[CountResult] = []
    with (
        postgres_database(POSTGRES_URL) as dsn,
        tempfile.TemporaryDirectory(prefix="storybot-bench-workers-") as tmp,
    ):
        web = web_server(Path(tmp) / "web", sqlalchemy_url(dsn), prefix)
        try:
            web.start()
            member = set_up(web, tokens_per_second, stories)
            worker_env = {
                k: v for k, v in web.env.items() if k not in ("STORYBOT_HOST", "STORYBOT_PORT")
            }
            print(table_header(), flush=True)
            for workers in counts:
                result = run_count(
                    web, worker_env, Path(tmp), dsn, [None, member], workers, stories
                )
                results.append(result)
                print(format_row(result, results[0].per_minute), flush=True)
        finally:
            web.stop()
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""

    def counts(text: str) -> list[int]:
        values = [int(v) for v in text.split(",") if v.strip()]
        if not values or min(values) < 1 or max(values) > 16:
            raise argparse.ArgumentTypeError("a comma-separated list of counts from 1 to 16")
        return values

    parser = argparse.ArgumentParser(
        description="Stories per minute for 1, 2 and 4 storybot worker processes "
        "(fake engine, PostgreSQL, Redis)."
    )
    parser.add_argument(
        "--workers",
        type=counts,
        default=[1, 2, 4],
        help="worker counts, measured in this order; ratios are to the first (default 1,2,4)",
    )
    parser.add_argument(
        "--stories", type=int, default=40, help="stories asked for at once per count (default 40)"
    )
    parser.add_argument(
        "--tokens-per-second",
        type=float,
        default=50.0,
        help="the fake engine's pace (default 50: a short story in about 3 s)",
    )
    parser.add_argument("--quick", action="store_true", help="12 stories per count")
    args = parser.parse_args(argv)
    if args.quick:
        args.stories = 12
    if not 1 <= args.stories <= 990 or args.tokens_per_second <= 0:
        parser.error("--stories from 1 to 990; --tokens-per-second above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    print(
        f"{args.stories} stories per count ({STORY_LENGTH}, fake engine at "
        f"{args.tokens_per_second:g} tokens/s) from 2 accounts; 1 web process; workers "
        f"{args.workers}; PostgreSQL and Redis on 127.0.0.1; {os.cpu_count()} cores"
    )
    print(
        "s: first POST to last end; ratio/ideal over the first count's stories/min; "
        "lat/wait/write in s; gap: a worker's time between stories; busy: workers' time "
        "writing; CPU in cores: web, wrk all workers, mach the machine, rest "
        "PostgreSQL+Redis+client+others; RSS: the largest worker's, MB"
    )
    started = time.monotonic()
    run(args.workers, args.stories, args.tokens_per_second)
    print(f"\nwhole run: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
