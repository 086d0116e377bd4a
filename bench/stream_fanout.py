"""How many viewers can follow one story's event stream on the default server?

Run it from the project root (about two minutes on two cores)::

    .venv/bin/python bench/stream_fanout.py [--levels 1,50,200,500] [--threads 32,600]
    .venv/bin/python bench/stream_fanout.py --topologies   # one process, or two on Redis

(``--topologies``: the same stories followed on one process, or spread over two
that share PostgreSQL and Redis; see ``bench/fanout_topologies.py``.)

What it measures
----------------
For each server thread count (``STORYBOT_THREADS``, default ``32`` and ``600``)
a fresh ``storybot serve`` child process (gunicorn, one worker, gthread) runs
on a free port of 127.0.0.1 with its own temporary data directory. Its
settings are changed through ``PATCH /api/settings`` to a fake engine paced at
50 tokens/s (``{"type": "fake", "tokens_per_second": 50}``, named ``bench``,
the default engine): with no script it writes ``max_tokens`` pieces
(``word0 `` ``word1 `` ...) on a fixed schedule, 350 for a short story, so
each story streams for 7 seconds whatever the viewers do.

Then, for each level of viewers (default 1, 50, 200, 500), one story is
followed by that many concurrent SSE connections (``GET /api/stories/<id>/events``)
opened by an asyncio client in this process (plain asyncio streams, HTTP/1.1,
chunked bodies scanned for ``id:``/``event:`` lines). To have every viewer
connected before the first word, the measured story is queued behind a
*blocker* story; once every viewer has received the queued story's first
``status`` event (or after ``--connect-timeout`` seconds), the blocker is
cancelled and the measured story starts. Each level ends when every viewer has
its final event, or ``--grace`` seconds after the story should have ended;
the connections still open are then closed. The server must answer
``/api/health`` again before the next level (bounded by ``--drain-timeout``).

Reported per level
------------------
* **connected**: viewers that got the queued story's first event before it started.
* **complete**: viewers that received every text event and the final ``done``
  event before the level ended; **delivered**: text events received by all
  viewers over those produced (the story's ``last_seq``, read afterwards)
  times the number of viewers.
* **lag** (p50/p99/max, ms): how far behind the engine each delivery was. A
  text event carries no write time, but the fake engine yields piece ``seq`` at
  ``t0 + seq / 50`` on a fixed schedule, and both processes read the same
  system-wide monotonic clock. ``t0`` is estimated as the earliest
  ``arrival - seq / 50`` over every delivery of the level (the quickest
  delivery counts as zero lag). Lag therefore includes Storybot's write
  batching (pieces are committed every 100 ms, so about 50 ms on average and
  up to 100 ms), the wake-up, the database read and the HTTP write. The
  1-viewer level is the baseline.
* **spread** (p99, ms): for each event, each viewer's arrival minus the first
  viewer's arrival of the same event id: the cost of fan-out alone, free of
  any assumption about the engine.
* **probe** (p50/max ms, failures): ``GET /api/health`` on a new connection
  every 0.5 s while the story streams (2 s timeout): does an ordinary request
  still get an answer while the viewers hold the server?
* **RSS** (MB): the gunicorn worker's ``VmRSS`` from ``/proc/<pid>/status``
  (the worker is the child of the ``storybot serve`` process) before the level
  and at its peak, sampled every 0.2 s, with its peak thread count; and the
  CPU used by the worker, by this client and by other processes ("noise": this
  machine may be shared) while the story streamed, in cores.

Each SSE connection holds one of gthread's threads for as long as it is open,
so a server with fewer threads than viewers serves the rest only after earlier
streams end (and ordinary requests wait behind them too). The summary says
per thread count which levels were held (every viewer complete, lag p99 under
one second, every probe answered) and which were not.

The exit status is 0 when the benchmark ran, whatever the figures; it is not 0
when something broke (the server did not start or refused the settings). The
servers are always stopped before exit; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import fanout_topologies
from sse_client import Viewer, follow, probe_health
from support import StorybotServer, busy_cpu_seconds, cpu_seconds, percentile, proc_status

TOKENS_PER_SECOND = 50.0
STORY_LENGTH = "short"  # 350 pieces (its max_tokens): 7 s at 50 tokens/s
STORY_SECONDS = 350 / TOKENS_PER_SECOND
ENGINES = {"local": {"type": "local"}, "bench": {"type": "fake", "tokens_per_second": 50}}
REQUEST_TIMEOUT_SECONDS = 10.0
PROBE_INTERVAL_SECONDS = 0.5
PROBE_TIMEOUT_SECONDS = 2.0
SAMPLE_INTERVAL_SECONDS = 0.2
HELD_LAG_P99_SECONDS = 1.0


# --------------------------------------------------------------------------- one level


@dataclass
class LevelResult:
    """The figures of one level (one story, ``viewers`` connections)."""

    threads: int
    viewers: int
    connected: int
    complete: int
    produced: int
    delivered: int
    lag_ms: tuple[float, float, float]  # p50, p99, max
    spread_p99_ms: float
    probe_ms: tuple[float, float]  # p50, max of the answered probes
    probes: int
    probe_failures: int
    rss_idle_mb: float
    rss_peak_mb: float
    threads_peak: int
    server_cpu_cores: float
    client_cpu_cores: float
    noise_cores: float | None  # CPU used meanwhile by other processes
    errors: dict[str, int]
    note: str = ""

    @property
    def held(self) -> bool:
        """Every viewer complete, lag p99 under a second, every probe answered."""
        return (
            self.complete == self.viewers
            and self.lag_ms[1] < HELD_LAG_P99_SECONDS * 1000
            and self.probe_failures == 0
        )


async def _sample(pid: int, stop: asyncio.Event, peaks: list[float]) -> None:
    """Keep ``peaks`` = [peak RSS MB, peak thread count] of ``pid`` until ``stop``."""
    while not stop.is_set():
        status = proc_status(pid)
        if status is not None:
            peaks[0] = max(peaks[0], status[0])
            peaks[1] = max(peaks[1], status[1])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_INTERVAL_SECONDS)


def _post_story(server: StorybotServer, prompt: str) -> int:
    status, body = server.request(
        "POST", "/api/stories", {"prompt": prompt, "length": STORY_LENGTH}
    )
    if status != 202:
        raise RuntimeError(f"POST /api/stories answered {status}: {body}")
    return int(body["id"])


async def run_level(
    server: StorybotServer, viewers: int, connect_timeout: float, grace: float
) -> LevelResult:
    """One story followed by ``viewers`` connections; every wait is bounded."""
    worker = server.worker_pid()
    loop = asyncio.get_running_loop()
    idle = proc_status(worker) or (0.0, 0)
    peaks = [idle[0], float(idle[1])]
    blocker_posted = time.monotonic()
    blocker = await loop.run_in_executor(None, _post_story, server, "A blocker story.")
    story_id = await loop.run_in_executor(None, _post_story, server, "The story everyone reads.")

    records = [Viewer() for _ in range(viewers)]
    connected_any = asyncio.Event()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(worker, stop, peaks))
    tasks = [
        asyncio.create_task(follow(server.port, story_id, record, connected_any, server.token))
        for record in records
    ]
    note = ""
    connect_deadline = time.monotonic() + connect_timeout
    while time.monotonic() < connect_deadline:
        if sum(r.first_status_at is not None for r in records) == viewers:
            break
        await asyncio.sleep(0.05)
    connected = sum(r.first_status_at is not None for r in records)

    # Start the measured story: cancel the blocker (an ordinary request, which
    # waits for a free thread like any other; the blocker ends by itself at worst).
    server_cpu_before = cpu_seconds(worker) or 0.0
    client_before = os.times()
    busy_before = busy_cpu_seconds()
    live_started = time.monotonic()
    probes: list[float | None] = []
    prober = asyncio.create_task(
        probe_health(server.port, stop, probes, PROBE_INTERVAL_SECONDS, PROBE_TIMEOUT_SECONDS)
    )
    try:
        status, _ = await loop.run_in_executor(
            None,
            lambda: server.request(
                "POST", f"/api/stories/{blocker}/cancel", timeout=PROBE_TIMEOUT_SECONDS * 2
            ),
        )
        if status != 200:
            note = f"cancel answered {status}"
    except (OSError, http.client.HTTPException):
        note = "the blocker's cancel got no answer (no free thread); it ran to its end"
    # The story starts now (blocker cancelled) or when the blocker ends by itself.
    starts_by = max(time.monotonic(), blocker_posted + STORY_SECONDS + 1.0)
    level_deadline = starts_by + STORY_SECONDS + grace
    await asyncio.wait(tasks, timeout=max(0.0, level_deadline - time.monotonic()))
    live_seconds = time.monotonic() - live_started
    server_cpu_after = cpu_seconds(worker) or server_cpu_before
    client_after = os.times()
    busy_after = busy_cpu_seconds()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, prober, sampler, return_exceptions=True)

    produced = await loop.run_in_executor(None, _produced, server, story_id)
    server_used = server_cpu_after - server_cpu_before
    client_used = (client_after.user - client_before.user) + (
        client_after.system - client_before.system
    )
    noise = None
    if busy_before is not None and busy_after is not None:
        noise = max(0.0, busy_after - busy_before - server_used - client_used) / live_seconds
    return _level_result(
        server,
        records,
        connected,
        produced,
        probes,
        (idle[0], peaks[0], int(peaks[1])),
        (server_used / live_seconds, client_used / live_seconds, noise),
        note,
    )


def _produced(server: StorybotServer, story_id: int) -> int:
    """The story's last text event id, once it has ended (bounded wait)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, view = server.request("GET", f"/api/stories/{story_id}", timeout=5)
            if status == 200 and view["status"] not in ("queued", "running"):
                return int(view["last_seq"])
        time.sleep(0.5)
    raise RuntimeError(f"story {story_id} did not end in time:\n{server.tail()}")


def _level_result(
    server: StorybotServer,
    records: list[Viewer],
    connected: int,
    produced: int,
    probes: list[float | None],
    memory: tuple[float, float, int],
    cores: tuple[float, float, float | None],
    note: str,
) -> LevelResult:
    """Turn the viewers' records into the level's figures."""
    offsets = [at - seq / TOKENS_PER_SECOND for r in records for seq, at in r.arrivals.items()]
    t0 = min(offsets) if offsets else 0.0
    lags = sorted(
        at - (t0 + seq / TOKENS_PER_SECOND) for r in records for seq, at in r.arrivals.items()
    )
    first_arrival: dict[int, float] = {}
    for record in records:
        for seq, at in record.arrivals.items():
            first_arrival[seq] = min(at, first_arrival.get(seq, at))
    spreads = sorted(at - first_arrival[seq] for r in records for seq, at in r.arrivals.items())
    answered = sorted(p for p in probes if p is not None)
    errors: dict[str, int] = {}
    for record in records:
        if record.error and record.final is None:
            key = record.error.split(":")[0]
            errors[key] = errors.get(key, 0) + 1
    complete = sum(
        1
        for r in records
        if r.final == "done"
        and len(r.arrivals) == produced
        and all(s in r.arrivals for s in (1, produced))
    )
    return LevelResult(
        threads=server.threads,
        viewers=len(records),
        connected=connected,
        complete=complete,
        produced=produced,
        delivered=sum(len(r.arrivals) for r in records),
        lag_ms=(
            percentile(lags, 0.5) * 1000,
            percentile(lags, 0.99) * 1000,
            (lags[-1] if lags else float("nan")) * 1000,
        ),
        spread_p99_ms=percentile(spreads, 0.99) * 1000,
        probe_ms=(
            percentile(answered, 0.5) * 1000,
            (answered[-1] if answered else float("nan")) * 1000,
        ),
        probes=len(probes),
        probe_failures=sum(p is None for p in probes),
        rss_idle_mb=memory[0],
        rss_peak_mb=memory[1],
        threads_peak=memory[2],
        server_cpu_cores=cores[0],
        client_cpu_cores=cores[1],
        noise_cores=cores[2],
        errors=errors,
        note=note,
    )


# --------------------------------------------------------------------------- reporting


def table_header() -> str:
    """The header of the results table."""
    return (
        f"{'threads':>7}{'viewers':>8}{'conn':>6}{'complete':>9}{'delivered':>10}"
        f"{'lag p50':>9}{'p99':>8}{'max':>8}{'spread99':>9}{'probe p50':>10}{'max':>8}"
        f"{'fail':>6}{'RSS MB':>13}{'thr':>5}{'srv CPU':>8}{'cli CPU':>8}{'noise':>6}"
    )


def _num(value: float, width: int) -> str:
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.0f}"


def format_row(result: LevelResult) -> str:
    """One line of the results table."""
    expected = result.viewers * result.produced
    share = 100 * result.delivered / expected if expected else 0.0
    return (
        f"{result.threads:>7}{result.viewers:>8}{result.connected:>6}{result.complete:>9}"
        f"{share:>9.1f}%{_num(result.lag_ms[0], 9)}{_num(result.lag_ms[1], 8)}"
        f"{_num(result.lag_ms[2], 8)}{_num(result.spread_p99_ms, 9)}"
        f"{_num(result.probe_ms[0], 10)}{_num(result.probe_ms[1], 8)}"
        f"{result.probe_failures:>3}/{result.probes:<2}"
        f"{result.rss_idle_mb:>6.0f}->{result.rss_peak_mb:<5.0f}{result.threads_peak:>5}"
        f"{result.server_cpu_cores:>8.2f}{result.client_cpu_cores:>8.2f}"
        f"{'-' if result.noise_cores is None else f'{result.noise_cores:.2f}':>6}"
    )


def describe(result: LevelResult) -> str:
    """Why a level was not held, in words."""
    reasons = []
    if result.complete < result.viewers:
        reasons.append(f"{result.viewers - result.complete} of {result.viewers} viewers incomplete")
    if not result.lag_ms[1] < HELD_LAG_P99_SECONDS * 1000:
        reasons.append(f"lag p99 {result.lag_ms[1] / 1000:.1f} s")
    if result.probe_failures:
        reasons.append(f"{result.probe_failures} of {result.probes} health probes unanswered")
    if result.errors:
        reasons.append("viewer errors " + ", ".join(f"{k} x{v}" for k, v in result.errors.items()))
    if result.note:
        reasons.append(result.note)
    return "; ".join(reasons) or "held"


# --------------------------------------------------------------------------- main


def configure(server: StorybotServer) -> None:
    """Make the paced fake engine the default through ``PATCH /api/settings``."""
    status, body = server.request(
        "PATCH", "/api/settings", {"engines": ENGINES, "default_engine": "bench"}
    )
    if status != 200 or body["default_engine"] != "bench":
        raise RuntimeError(f"PATCH /api/settings answered {status}: {body}")


def run_config(
    threads: int, levels: list[int], connect_timeout: float, grace: float, drain_timeout: float
) -> list[LevelResult]:
    """Every level against one fresh server with ``threads`` gunicorn threads."""
    results: list[LevelResult] = []
    with tempfile.TemporaryDirectory(prefix="storybot-bench-fanout-") as tmp:
        server = StorybotServer(Path(tmp), threads, REQUEST_TIMEOUT_SECONDS)
        try:
            server.start()
            configure(server)
            for viewers in levels:
                result = asyncio.run(run_level(server, viewers, connect_timeout, grace))
                results.append(result)
                print(format_row(result), flush=True)
                deadline = time.monotonic() + drain_timeout
                while not server.healthy(timeout=2.0):
                    if time.monotonic() > deadline:
                        print(
                            f"  the server did not answer within {drain_timeout:g} s after "
                            "the level; the remaining levels are skipped",
                            flush=True,
                        )
                        return results
        finally:
            server.stop()
    return results


def summarize(results: list[LevelResult]) -> None:
    """Say, per thread count, which levels were held and why the others were not."""
    print()
    for threads in sorted({r.threads for r in results}):
        mine = [r for r in results if r.threads == threads]
        held = [r.viewers for r in mine if r.held]
        print(
            f"STORYBOT_THREADS={threads}: held {held or 'no level'} "
            f"(every viewer complete, lag p99 < {HELD_LAG_P99_SECONDS:g} s, every probe answered)"
        )
        for result in mine:
            if not result.held:
                print(f"  {result.viewers} viewers: {describe(result)}")
        fresh = mine[0].rss_idle_mb  # the levels run in increasing order on one server
        for result in mine:
            if result.viewers > 1:
                per_viewer = (result.rss_peak_mb - fresh) * 1024 / result.viewers
                print(
                    f"  {result.viewers} viewers: peak RSS {result.rss_peak_mb:.0f} MB, "
                    f"{per_viewer:.0f} KB per viewer over the fresh server's {fresh:.0f} MB; "
                    f"{result.threads_peak} threads; worker CPU {result.server_cpu_cores:.2f} cores"
                )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""

    def numbers(text: str) -> list[int]:
        values = [int(v) for v in text.split(",") if v.strip()]
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError("a comma-separated list of positive numbers")
        return values

    parser = argparse.ArgumentParser(
        description="Many SSE viewers of one story (fake engine, 50 tokens/s) on storybot serve."
    )
    parser.add_argument(
        "--levels",
        type=numbers,
        default=[1, 50, 200, 500],
        help="viewer counts, one story each (default 1,50,200,500)",
    )
    parser.add_argument(
        "--threads",
        type=numbers,
        default=[32, 600],
        help="STORYBOT_THREADS values, one fresh server each (default 32,600)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=6.0,
        help="seconds to wait for every viewer to connect before the story starts (default 6)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=8.0,
        help="seconds a level waits for viewers after the story should have ended (default 8)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=30.0,
        help="seconds to wait for the server to answer again after a level (default 30)",
    )
    parser.add_argument(
        "--topologies",
        action="store_true",
        help="viewers on one process or two on Redis (needs PostgreSQL and Redis)",
    )
    args = parser.parse_args(argv)
    if max(args.levels) > 5000 or args.connect_timeout <= 0 or args.grace < 0:
        parser.error("at most 5000 viewers; --connect-timeout above 0; --grace at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.topologies:
        return fanout_topologies.main(args.connect_timeout, args.grace)
    print(
        f"fake engine at {TOKENS_PER_SECOND:g} tokens/s, {STORY_LENGTH} story (350 pieces, "
        f"{STORY_SECONDS:g} s); gunicorn 1 worker, gthread; levels {args.levels}; "
        f"threads {args.threads}"
    )
    print(
        "lag/spread/probe in ms; RSS of the gunicorn worker: idle -> peak; thr: peak threads; "
        "CPU in cores while the story streamed (noise: other processes)"
    )
    print(table_header())
    results: list[LevelResult] = []
    started = time.monotonic()
    for threads in args.threads:
        results += run_config(
            threads, args.levels, args.connect_timeout, args.grace, args.drain_timeout
        )
    summarize(results)
    print(f"\nwhole run: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
