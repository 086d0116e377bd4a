"""The set-ups that ``stream_overhead.py --variants`` compares, each a Storybot of its own.

Every variant is a ``storybot serve`` child process with a temporary data
directory; they are started together, before the first round, and take turns
(only one generates at a time). Two of them switch off one part of the first
words' path each (the tuning switches of ``storybot.config.Settings``), one
runs on PostgreSQL instead of SQLite, and the last is the Redis topology: the
web process puts a job on an RQ queue and one ``storybot worker`` (which loads
the built-in model) claims the story and writes it, its text reaching the web
process through the relay (``storybot.jobs.relay``). The raw side is the same
for all: the engine runs in the worker process, the model in the bench process.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from support import (
    REDIS_URL,
    ServerProcess,
    StorybotServer,
    fresh_database,
    process_tree_cpu_seconds,
)

# The bench asks for up to a few dozen stories per server in an hour, from one account.
NO_STORY_LIMIT = {"STORYBOT_STORY_RATE_LIMIT": "1000000 per hour"}
WORKER_READY = "is waiting for stories"  # what `storybot worker` says once it takes jobs


@dataclass(frozen=True)
class Variant:
    """One Storybot set-up: its environment, and the targets its figures are held to."""

    name: str
    about: str
    env: dict[str, str] = field(default_factory=dict)
    postgres: bool = False  # a PostgreSQL database of its own instead of SQLite
    redis: bool = False  # the Redis topology: stories written by one `storybot worker`
    tps_target: float = 0.95  # tokens/s at least this much of the raw model's
    ttft_target_ms: float = 10.0  # at most this much added to the time to first text


DEFAULT = Variant("default", "one process, SQLite, default settings")
VARIANTS = (
    DEFAULT,
    Variant(
        "no-direct-start",
        "every story through the queue's claim (STORYBOT_DIRECT_START=false)",
        {"STORYBOT_DIRECT_START": "false"},
    ),
    Variant("postgresql", "one process on PostgreSQL", postgres=True),
    Variant(
        "redis",
        "storybot serve + one storybot worker on PostgreSQL + Redis",
        postgres=True,
        redis=True,
        tps_target=0.93,
        ttft_target_ms=25.0,
    ),
)


class VariantServer(StorybotServer):
    """A variant's Storybot: ``storybot serve`` and, in the Redis topology, one
    ``storybot worker`` beside it, which writes every story (the web process loads no
    model); on PostgreSQL, a database of its own, dropped by :meth:`stop`."""

    def __init__(
        self, variant: Variant, work_dir: Path, threads: int, request_timeout: float
    ) -> None:
        work_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(work_dir, threads, request_timeout)
        self.variant = variant
        self.work_dir = work_dir
        self.env.update({**NO_STORY_LIMIT, **variant.env})
        self.worker: ServerProcess | None = None
        self._resources = contextlib.ExitStack()

    def start(self) -> None:
        """Make the database (PostgreSQL), start the server, then the worker (Redis)."""
        if self.variant.postgres:
            label = self.variant.name.replace("-", "_")
            self.env["STORYBOT_DATABASE_URL"] = self._resources.enter_context(fresh_database(label))
        if self.variant.redis:
            self.env.update(
                {
                    "STORYBOT_REDIS_URL": REDIS_URL,
                    "STORYBOT_REDIS_PREFIX": f"storybot-bench-{secrets.token_hex(4)}:",
                    "STORYBOT_RUNNER": "queue",
                }
            )
        super().start()
        if self.variant.redis:
            log = self.work_dir / "data" / "logs" / "worker.log"
            worker = ServerProcess(
                "worker",
                [sys.executable, "-m", "storybot", "worker"],
                {**self.env, "STORYBOT_LOG_FILE": str(log)},
                0,  # it serves no HTTP
                self.work_dir / "worker-output.txt",
                label="storybot worker",
            )
            self.worker = worker
            worker.launch()
            worker.wait_ready(lambda: WORKER_READY in worker.tail(200))

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the server and its worker (if any)."""
        own = super().cpu_seconds()
        if self.worker is None or self.worker.process is None or own is None:
            return own
        worker = process_tree_cpu_seconds(self.worker.process.pid)
        return None if worker is None else own + worker

    def tail(self, lines: int = 30) -> str:
        """The last lines of the server's output, and of the worker's."""
        text = super().tail(lines)
        if self.worker is not None:
            text += f"\n--- storybot worker:\n{self.worker.tail(lines)}"
        return text

    def stop(self) -> None:
        """Stop the worker, then the server; drop the database."""
        try:
            if self.worker is not None:
                self.worker.stop()
            super().stop()
        finally:
            self._resources.close()


def chosen(names: str) -> list[Variant]:
    """The variants named (comma-separated; "all": every one), the default first."""
    if names == "all":
        return list(VARIANTS)
    known = {variant.name: variant for variant in VARIANTS}
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown variants {unknown}; known: {', '.join(known)}")
    return [DEFAULT, *(known[name] for name in wanted if name != DEFAULT.name)]
