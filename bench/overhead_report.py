"""The tables and the summary that ``stream_overhead.py`` prints: each attempt, each
pair of a Storybot story and the raw stream of its round, medians and the targets."""

from __future__ import annotations

import sys
from typing import cast

from raw_side import Attempt, Pair, max_tokens, pair
from support import QUIET_CORES, median

TPS_TARGET = 0.95  # Storybot's tokens/s at least this much of the raw model's
TTFT_TARGET_MS = 10.0  # at most this much added to the time to first text


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
    print(
        f"  storybot: POST until the story (its 202, or its first event) {post:.1f} ms, "
        f"queue_wait_seconds {queue * 1000:.1f} ms"
    )
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
