"""Fan-out across web processes: ``bench/stream_fanout.py --topologies``.

Viewers follow stories written by one ``storybot serve`` process, in two
topologies run one after the other in the same run, each on a fresh
PostgreSQL database (``STORYBOT_BENCH_POSTGRES_URL``, default the test
server's ``postgresql://postgres@127.0.0.1:5432/test``, where a database of
its own is created and dropped):

* **one process**: every viewer on the writing process (the in-process bus);
* **two processes on Redis**: a second ``storybot serve`` on the same database
  and Redis (``STORYBOT_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/0``,
  a channel prefix of the run's own); viewers alternate between the two, so
  half of them hear of each commit through the relay.

Cases: 500 viewers of one story, and 100 viewers each of 5 stories written at
once (the writing process has 5 workers; the second process's one worker is
kept busy by a story of its own that writes one token a second, so every
measured story is written by the first). The stories are the fake engine's
350 pieces at 50 tokens/s (7 s). Viewers connect while the stories wait
behind blockers (1 token/s, cancelled once everyone is connected).

**Delay** is each delivery's arrival (wall clock, this process) minus the
piece's ``created_at`` in the database, which the writer sets as it inserts
the batch, a moment before its commit: the delay from commit to delivery,
batching excluded (the 1-viewer lag of ``stream_fanout.py`` includes it). A
viewer is **complete** when it received every piece of its story, once each,
and the final ``done``.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sse_client import Viewer, follow
from support import (
    StorybotServer,
    busy_cpu_seconds,
    cpu_seconds,
    percentile,
    postgres_database,
    sqlalchemy_url,
)

POSTGRES_URL = os.environ.get(
    "STORYBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STORYBOT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ENGINES = {
    "local": {"type": "local"},
    "bench": {"type": "fake", "tokens_per_second": 50},
    "blocker": {"type": "fake", "tokens_per_second": 1},
}
WRITERS = 5  # workers of the writing process: every story of a case at once
STORY_SECONDS = 7.0
CASES = ((1, 500), (5, 100))  # (stories, viewers of each)
TOPOLOGIES = ("one process", "two processes on Redis")
THREADS = 600
REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass
class CaseResult:
    """The figures of one case in one topology."""

    topology: str
    stories: int
    viewers: int
    connected: int
    complete: int
    produced: int  # pieces written, over the case's stories
    delivered: int  # text events received, over every viewer
    expected: int  # what every viewer receiving its story whole would make
    delay_ms: tuple[float, float, float]  # p50, p99, max over every delivery
    local_p99_ms: float  # viewers on the writing process
    remote_p99_ms: float  # viewers on the other process (NaN with one)
    server_cores: list[float]  # CPU of each process's gunicorn worker while it streamed
    machine_cores: float  # CPU of the whole machine meanwhile (PostgreSQL, Redis, others)


def _server(
    work_dir: Path, database: str, workers: int, redis_prefix: str | None
) -> StorybotServer:
    """A ``storybot serve`` on the run's PostgreSQL database (not started)."""
    work_dir.mkdir()
    server = StorybotServer(work_dir, THREADS, REQUEST_TIMEOUT_SECONDS)
    server.env.update(
        {
            "STORYBOT_DATABASE_URL": database,
            "STORYBOT_GENERATION_WORKERS": str(workers),
            # The bench's own requests, from one address and account, are no flood.
            "STORYBOT_RATE_LIMIT": "1000000 per minute",
            "STORYBOT_STORY_RATE_LIMIT": "1000000 per hour",
        }
    )
    if redis_prefix is not None:
        server.env.update({"STORYBOT_REDIS_URL": REDIS_URL, "STORYBOT_REDIS_PREFIX": redis_prefix})
    return server


def _post(server: StorybotServer, prompt: str, engine: str = "bench", length: str = "short") -> int:
    body = {"prompt": prompt, "length": length, "engine": engine}
    status, answer = server.request("POST", "/api/stories", body)
    if status != 202:
        raise RuntimeError(f"POST /api/stories answered {status}: {answer}")
    return int(answer["id"])


def _cancel(server: StorybotServer, story_id: int) -> None:
    with contextlib.suppress(OSError, http.client.HTTPException):
        server.request("POST", f"/api/stories/{story_id}/cancel")


def _last_seq(server: StorybotServer, story_id: int) -> int:
    """The story's last piece, once it has ended (bounded wait)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, view = server.request("GET", f"/api/stories/{story_id}", timeout=5)
            if status == 200 and view["status"] not in ("queued", "running"):
                return int(view["last_seq"])
        time.sleep(0.5)
    raise RuntimeError(f"story {story_id} did not end in time:\n{server.tail()}")


def _stories_written(server: StorybotServer) -> int:
    """How many stories of the paced engine a server's log says it wrote."""
    log = Path(server.env["STORYBOT_LOG_FILE"])
    with contextlib.suppress(OSError):
        return log.read_text(encoding="utf-8").count("writing with engine bench")
    return 0


def _committed_at(dsn: str, story_ids: list[int]) -> dict[tuple[int, int], float]:
    """Each piece's ``created_at`` (Unix seconds), by (story, seq)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT story_id, seq, extract(epoch FROM created_at) FROM story_piece"
            " WHERE story_id = ANY(%s)",
            (story_ids,),
        ).fetchall()
    return {(story_id, seq): float(at) for story_id, seq, at in rows}


async def run_case(
    topology: str,
    servers: list[StorybotServer],
    dsn: str,
    case: tuple[int, int],
    connect_timeout: float,
    grace: float,
) -> CaseResult:
    """``case`` = (stories, viewers of each), viewers alternating over ``servers``;
    the stories are written by ``servers[0]``. Every wait is bounded."""
    stories, per_story = case
    writer = servers[0]
    loop = asyncio.get_running_loop()
    blockers = [
        await loop.run_in_executor(None, _post, writer, "A blocker.", "blocker")
        for _ in range(WRITERS)
    ]
    story_ids = [
        await loop.run_in_executor(None, _post, writer, f"Story {index} that everyone reads.")
        for index in range(stories)
    ]
    wall_offset = time.time() - time.monotonic()  # arrivals are monotonic; created_at is not
    viewers: list[tuple[int, int, Viewer]] = []  # (story, server index, what it received)
    connected_any = asyncio.Event()
    for story_id in story_ids:
        for index in range(per_story):
            viewers.append((story_id, index % len(servers), Viewer()))
    tasks = [
        asyncio.create_task(
            follow(servers[side].port, story_id, viewer, connected_any, writer.token)
        )
        for story_id, side, viewer in viewers
    ]
    deadline = time.monotonic() + connect_timeout
    while time.monotonic() < deadline:
        if all(v.first_status_at is not None for _, _, v in viewers):
            break
        await asyncio.sleep(0.05)
    connected = sum(v.first_status_at is not None for _, _, v in viewers)

    pids = [server.worker_pid() for server in servers]
    cpu_before = [cpu_seconds(pid) or 0.0 for pid in pids]
    busy_before = busy_cpu_seconds() or 0.0
    started = time.monotonic()
    for blocker in blockers:
        await loop.run_in_executor(None, _cancel, writer, blocker)
    await asyncio.wait(tasks, timeout=STORY_SECONDS + grace)
    seconds = time.monotonic() - started
    cpu_after = [cpu_seconds(pid) or 0.0 for pid in pids]
    busy_after = busy_cpu_seconds() or 0.0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    last = {sid: await loop.run_in_executor(None, _last_seq, writer, sid) for sid in story_ids}
    committed = await loop.run_in_executor(None, _committed_at, dsn, story_ids)
    delays: list[float] = []
    by_side: dict[int, list[float]] = {0: [], 1: []}
    complete = 0
    for story_id, side, viewer in viewers:
        if viewer.final == "done" and sorted(viewer.arrivals) == list(range(1, last[story_id] + 1)):
            complete += 1
        for seq, arrived in viewer.arrivals.items():
            at = committed.get((story_id, seq))
            if at is not None:
                delay = arrived + wall_offset - at
                delays.append(delay)
                by_side[side].append(delay)
    delays.sort()
    for values in by_side.values():
        values.sort()
    return CaseResult(
        topology=topology,
        stories=stories,
        viewers=len(viewers),
        connected=connected,
        complete=complete,
        produced=sum(last.values()),
        delivered=sum(len(v.arrivals) for _, _, v in viewers),
        expected=sum(last[story_id] for story_id, _, _ in viewers),
        delay_ms=(
            percentile(delays, 0.5) * 1000,
            percentile(delays, 0.99) * 1000,
            (delays[-1] if delays else float("nan")) * 1000,
        ),
        local_p99_ms=percentile(by_side[0], 0.99) * 1000,
        remote_p99_ms=percentile(by_side[1], 0.99) * 1000,
        server_cores=[(a - b) / seconds for a, b in zip(cpu_after, cpu_before, strict=True)],
        machine_cores=(busy_after - busy_before) / seconds,
    )


def run_topology(topology: str, connect_timeout: float, grace: float) -> list[CaseResult]:
    """Every case on fresh servers of one topology, on a database of its own."""
    two = topology != TOPOLOGIES[0]
    prefix = f"storybot-bench-{secrets.token_hex(4)}:" if two else None
    servers: list[StorybotServer] = []
    results: list[CaseResult] = []
    with postgres_database(POSTGRES_URL) as dsn:
        database = sqlalchemy_url(dsn)
        with tempfile.TemporaryDirectory(prefix="storybot-bench-topology-") as tmp:
            try:
                writer = _server(Path(tmp) / "writer", database, WRITERS, prefix)
                servers.append(writer)
                writer.start()
                status, body = writer.request(
                    "PATCH", "/api/settings", {"engines": ENGINES, "default_engine": "bench"}
                )
                if status != 200:
                    raise RuntimeError(f"PATCH /api/settings answered {status}: {body}")
                if two:
                    other = _server(Path(tmp) / "other", database, 1, prefix)
                    servers.append(other)
                    other.token = writer.token  # the same database: the same accounts
                    other.launch()
                    other.wait_ready(lambda: other.healthy(timeout=1.0))
                    # Its one worker stays busy, so the measured stories wait for the writer's.
                    _post(other, "The other process's own story.", "blocker", "long")
                for case in CASES:
                    result = asyncio.run(
                        run_case(topology, servers, dsn, case, connect_timeout, grace)
                    )
                    results.append(result)
                    print(format_row(result), flush=True)
                if two and (written := _stories_written(servers[1])):
                    print(f"  (the other process wrote {written} measured stories itself)")
            finally:
                for server in servers:
                    server.stop()
    return results


def table_header() -> str:
    """The header of the results table."""
    return (
        f"{'topology':<24}{'stories':>8}{'viewers':>8}{'conn':>6}{'complete':>9}"
        f"{'delivered':>10}{'delay p50':>10}{'p99':>7}{'max':>7}{'p99 same':>9}"
        f"{'p99 other':>10}{'machine':>8}  worker CPU (cores)"
    )


def format_row(result: CaseResult) -> str:
    """One line of the results table."""
    share = 100 * result.delivered / result.expected if result.expected else 0.0
    other = "-" if result.remote_p99_ms != result.remote_p99_ms else f"{result.remote_p99_ms:.0f}"
    cores = " + ".join(f"{c:.2f}" for c in result.server_cores)
    return (
        f"{result.topology:<24}{result.stories:>8}{result.viewers:>8}{result.connected:>6}"
        f"{result.complete:>9}{share:>9.1f}%{result.delay_ms[0]:>10.0f}{result.delay_ms[1]:>7.0f}"
        f"{result.delay_ms[2]:>7.0f}{result.local_p99_ms:>9.0f}{other:>10}"
        f"{result.machine_cores:>8.2f}  {cores}"
    )


def main(connect_timeout: float, grace: float) -> int:
    """Both topologies, every case, one table."""
    print(
        "delay: arrival minus the piece's created_at (set as the writer inserts it), in ms; "
        "p99 same/other: viewers on the writing process / on the other one; "
        "CPU in cores while the stories streamed (machine: every process, of 2)"
    )
    print(table_header())
    started = time.monotonic()
    for topology in TOPOLOGIES:
        run_topology(topology, connect_timeout, grace)
    print(f"\nwhole run: {time.monotonic() - started:.0f} s")
    return 0
