"""Shared pieces of the benchmarks in ``bench/``: ports, /proc CPU accounting, statistics,
a PostgreSQL database of a run's own, and ``storybot serve`` and ``storybot worker``
child processes.

The benchmarks run as scripts (``python bench/<name>.py``), so this directory is
the first entry of ``sys.path`` and ``from support import ...`` finds this module.
Everything that reads ``/proc`` is Linux only and returns None elsewhere.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
QUIET_CORES = 0.25  # other processes' CPU below which the machine counts as quiet
BENCH_EMAIL = "bench@example.com"  # the first admin of a benchmarked server
# Where topologies of several processes keep their data: a database of the run's own is
# made on this PostgreSQL server (trust auth) and dropped after; Redis carries the rest.
POSTGRES_URL = os.environ.get(
    "STORYBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STORYBOT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


# --------------------------------------------------------------------------- ports and statistics


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (NaN for none)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def median(values: list[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """A new PostgreSQL database on :data:`POSTGRES_URL`'s server, dropped afterwards;
    yields its SQLAlchemy URL (psycopg 3)."""
    name = f"storybot_bench_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        yield dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- /proc readers


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux; empty when /proc cannot be read)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as kids:
                found.extend(int(child) for child in kids.read().split())
    return found


def proc_status(pid: int) -> tuple[float, int] | None:
    """A process's resident memory (MB) and thread count, from /proc/<pid>/status."""
    rss_kb, threads = 0, 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        return None
    return rss_kb / 1024, threads


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by one process, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, ValueError, IndexError):
        return None


def process_tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a process and all its descendants (None if unreadable)."""
    total = 0.0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            with open(f"/proc/{current}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in os.listdir(f"/proc/{current}/task"):
                try:
                    with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as kids:
                        pending.extend(int(child) for child in kids.read().split())
                except (FileNotFoundError, ProcessLookupError):
                    continue  # a thread that ended meanwhile (its CPU stays in the process's)
    except (OSError, ValueError, IndexError):
        return None
    return total


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (not idle or waiting), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """The CPU used by *other* processes (not this one, not ``server_cpu``'s) since :meth:`start`.

    On a shared machine a test suite running beside a benchmark slows it at
    random: the figure shows which measurements were disturbed, and
    :meth:`wait_for_quiet` waits (bounded) for a calm moment.
    """

    def __init__(
        self, server_cpu: Callable[[], float | None], quiet_cores: float = QUIET_CORES
    ) -> None:
        self.server_cpu = server_cpu
        self.quiet_cores = quiet_cores
        self._start: tuple[float, float | None, float, float | None] | None = None

    def _now(self) -> tuple[float, float | None, float, float | None]:
        own = os.times()
        return (time.perf_counter(), busy_cpu_seconds(), own.user + own.system, self.server_cpu())

    def start(self) -> None:
        """Start a measurement."""
        self._start = self._now()

    def others(self) -> float | None:
        """Other processes' CPU since :meth:`start`, in cores (None where /proc is missing)."""
        if self._start is None:
            return None
        wall0, busy0, own0, server0 = self._start
        wall1, busy1, own1, server1 = self._now()
        if busy0 is None or busy1 is None or server0 is None or server1 is None:
            return None
        if wall1 <= wall0:
            return None
        used = (busy1 - busy0) - (own1 - own0) - (server1 - server0)
        return max(0.0, used) / (wall1 - wall0)

    def wait_for_quiet(self, limit: float) -> float:
        """Wait, at most ``limit`` seconds, for a 0.5 s window in which other processes
        use under ``quiet_cores``; return the seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            self.start()
            time.sleep(0.5)
            share = self.others()
            if share is None or share < self.quiet_cores:
                break
        return time.perf_counter() - started


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A database of the run's own on the PostgreSQL server of ``admin_url`` (a
    ``postgresql://`` URL of a role that may create databases), dropped at the end
    whatever happens: yields its ``postgresql://`` URL."""
    name = f"storybot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(dsn: str) -> str:
    """A ``postgresql://`` URL as Storybot's ``STORYBOT_DATABASE_URL`` (the psycopg driver)."""
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


# --------------------------------------------------------------------------- child servers


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without the developer's STORYBOT_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def storybot_env(data_dir: Path, port: int, threads: int) -> dict[str, str]:
    """The environment of a ``storybot serve`` with everything in ``data_dir``."""
    return child_env(
        {
            "STORYBOT_DATA_DIR": str(data_dir),
            "STORYBOT_DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
            "STORYBOT_LOG_FILE": str(data_dir / "logs" / "storybot.log"),
            "STORYBOT_HOST": HOST,
            "STORYBOT_PORT": str(port),
            "STORYBOT_THREADS": str(threads),
        }
    )


class ServerProcess:
    """A benchmarked server in a child process (its own process group) on loopback.

    ``label`` names it in errors (default "the <name> server"); its standard
    output and error go to the file ``output``.
    """

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        port: int,
        output: Path,
        label: str | None = None,
    ) -> None:
        self.name = name
        self.label = label or f"the {name} server"
        self.command = command
        self.env = env
        self.port = port
        self.output = output
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start the child process; :meth:`wait_ready` waits until it answers."""
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, ready: Callable[[], bool]) -> None:
        """Poll ``ready`` until it is true, or raise with the server's output."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited:\n{self.tail()}")
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.label} did not answer in time:\n{self.tail()}")

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the server and its children (gunicorn arbiter, worker)."""
        return process_tree_cpu_seconds(self.process.pid) if self.process else None

    def tail(self, lines: int = 30) -> str:
        """The last lines the server wrote to standard output and error."""
        try:
            text = self.output.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server gracefully, killing its process group if it does not exit."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the group is this child's own
            process.wait()


class StorybotServer(ServerProcess):
    """``storybot serve`` in a child process, with everything in a temporary directory.

    ``work_dir/data`` holds its database and log file; ``request_timeout`` is the
    default timeout of :meth:`request`. Before it serves, the ``storybot`` command
    makes its first admin and an API token, which :meth:`request` and
    :attr:`auth_headers` sign requests in with.
    """

    def __init__(self, work_dir: Path, threads: int, request_timeout: float) -> None:
        port = free_port()
        super().__init__(
            "storybot",
            [sys.executable, "-m", "storybot", "serve"],
            storybot_env(work_dir / "data", port, threads),
            port,
            work_dir / "serve-output.txt",
            label="storybot serve",
        )
        self.threads = threads
        self.request_timeout = request_timeout
        self.token = ""

    @property
    def auth_headers(self) -> dict[str, str]:
        """The header that signs a request in with the admin's token."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def start(self) -> None:
        """Make the admin and its token, start the server and wait until
        ``GET /api/health`` answers 200."""
        self.token = self._make_account()
        self.launch()
        self.wait_ready(lambda: self.healthy(timeout=1.0))

    def _storybot(self, *args: str, stdin: str | None = None) -> str:
        """Run the ``storybot`` command on this server's data; its standard output."""
        done = subprocess.run(
            [sys.executable, "-m", "storybot", *args],
            input=stdin,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"storybot {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def _make_account(self) -> str:
        """The first admin and an API token for it, made as an operator would."""
        password = secrets.token_urlsafe(16)
        self._storybot("users", "create-admin", BENCH_EMAIL, "--password-stdin", stdin=password)
        return self.create_token(BENCH_EMAIL)

    def create_token(self, email: str) -> str:
        """A new API token for the account ``email`` (``storybot tokens create``)."""
        return self._storybot("tokens", "create", email, "--name", "bench").splitlines()[-1]

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        timeout: float | None = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        """One request on a new connection: status and decoded JSON body (or None),
        signed in with ``token`` (default: the admin's)."""
        conn = http.client.HTTPConnection(
            HOST, self.port, timeout=self.request_timeout if timeout is None else timeout
        )
        try:
            headers = {"Authorization": f"Bearer {token}"} if token else dict(self.auth_headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def healthy(self, timeout: float) -> bool:
        """True when ``GET /api/health`` answers 200 within ``timeout`` seconds."""
        try:
            return self.request("GET", "/api/health", timeout=timeout)[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    def worker_pid(self) -> int:
        """The pid of the single gunicorn worker (the child of ``storybot serve``)."""
        found = children(self.process.pid) if self.process else []
        if len(found) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {found}")
        return found[0]


class StorybotWorker(ServerProcess):
    """``storybot worker`` in a child process, with a data directory (and log file) of its
    own under ``work_dir`` and a metrics port (its ``port``); ``env`` names the database
    and Redis it shares with a :class:`StorybotServer`. :meth:`ready` says when it waits
    for stories (after :meth:`launch`, pass it to :meth:`wait_ready`)."""

    READY = "is waiting for stories"

    def __init__(self, work_dir: Path, name: str, env: dict[str, str]) -> None:
        port = free_port()
        data = work_dir / name
        super().__init__(
            name,
            [sys.executable, "-m", "storybot", "worker"],
            {
                **env,
                "STORYBOT_DATA_DIR": str(data),
                "STORYBOT_LOG_FILE": str(data / "logs" / "storybot.log"),
                "STORYBOT_METRICS_PORT": str(port),
            },
            port,
            work_dir / f"{name}-output.txt",
            label=f"storybot worker {name}",
        )

    def ready(self) -> bool:
        """True once the worker has said it waits for stories."""
        return self.READY in self.tail()
