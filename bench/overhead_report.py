"""The tables and the summary that ``stream_overhead.py`` prints: each attempt, each
pair of a Storybot story and the raw stream of its round, medians and the targets, and
with ``--variants`` one line per variant and each variant's difference from the default."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from overhead_variants import DEFAULT, Variant
from raw_side import Attempt, Pair, max_tokens, pair
from support import QUIET_CORES, median, percentile

ATTEMPT_LABELS = {1: "new prompt", 2: "cached prompt"}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def _cores(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table_header() -> str:
    """The header of the per-attempt table."""
    return (
        f"{'round':>5} {'side':<17}{'try':>4} {'finish':<7}{'prompt':>7}{'tokens':>7}"
        f"{'TTFT ms':>9}{'end ms':>9}{'POST ms':>9}{'queue ms':>9}{'srv 1st ms':>11}"
        f"{'noise':>7}"
    )


def format_row(item: Attempt) -> str:
    """One line of the per-attempt table."""
    return (
        f"{item.round:>5} {item.variant:<17}{item.attempt:>4} {item.finish:<7}"
        f"{item.prompt_tokens:>7}{item.completion_tokens:>7}{_ms(item.first_text):>9}"
        f"{_ms(item.end):>9}{_ms(item.post):>9}{_ms(item.queue_wait_s):>9}"
        f"{_ms(item.first_text_s):>11}{_cores(item.noise_cores):>7}"
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


@dataclass
class Figures:
    """One variant's medians (times in ms), over the pairs ``chosen`` says."""

    variant: str
    pairs: list[Pair]  # every pair of the variant
    used: list[Pair]  # the pairs the medians are over
    chosen: str
    raw_ms: dict[int, float] = field(default_factory=dict)  # per attempt number
    app_ms: dict[int, float] = field(default_factory=dict)
    added_ms: dict[int, float] = field(default_factory=dict)
    paired_ms: dict[int, float] = field(default_factory=dict)
    server_first_ms: dict[int, float] = field(default_factory=dict)
    speed_pairs: int = 0
    raw_tps: float = math.nan
    app_tps: float = math.nan
    ratio: float = math.nan  # median of the pairs' ratios
    overall_ratio: float = math.nan
    post_ms: float = math.nan
    queue_ms: float = math.nan
    # cached prompt: the time to first text that is neither the wait in the queue nor the
    # writer's start to its first saved piece (the request before its insert, delivery)
    rest_ms: float = math.nan


def figures(variant: str, attempts: list[Attempt], window: int) -> Figures:
    """Pair the variant's stories with the raw streams of their rounds; the medians."""
    raw = {(a.round, a.attempt): a for a in attempts if a.side == "raw"}
    mine = [a for a in attempts if a.variant == variant]
    pairs = [
        pair(raw[(a.round, a.attempt)], a, window) for a in mine if (a.round, a.attempt) in raw
    ]
    quiet = [p for p in pairs if p.quiet]
    used = quiet if len(quiet) >= 3 or len(quiet) == len(pairs) else pairs
    if len(quiet) == len(pairs):
        chosen = "all pairs, every one undisturbed"
    elif used is quiet:
        chosen = "the undisturbed pairs"
    else:
        chosen = "all pairs (fewer than 3 were undisturbed)"
    result = Figures(variant, pairs, used, chosen)
    for number in ATTEMPT_LABELS:
        of_try = [p for p in used if p.attempt == number]
        result.raw_ms[number] = median([p.raw_ttft for p in of_try]) * 1000
        result.app_ms[number] = median([p.app_ttft for p in of_try]) * 1000
        result.added_ms[number] = result.app_ms[number] - result.raw_ms[number]
        result.paired_ms[number] = median([p.app_ttft - p.raw_ttft for p in of_try]) * 1000
        server = [a.first_text_s for a in mine if a.attempt == number]
        result.server_first_ms[number] = median([s for s in server if s is not None]) * 1000
    fast = [p for p in used if p.tokens > 0]
    result.speed_pairs = len(fast)
    result.raw_tps = median([p.raw_tps for p in fast])
    result.app_tps = median([p.app_tps for p in fast])
    result.ratio = median([p.app_tps / p.raw_tps for p in fast])
    result.overall_ratio = median([p.app_overall / p.raw_overall for p in fast])
    result.post_ms = median([a.post for a in mine if a.post is not None]) * 1000
    result.queue_ms = median([a.queue_wait_s for a in mine if a.queue_wait_s is not None]) * 1000
    result.rest_ms = 1000 * median(
        [
            a.first_text - (a.queue_wait_s or 0.0) - a.first_text_s
            for a in mine
            if a.attempt == 2 and a.first_text_s is not None
        ]
    )
    return result


def print_pairs(result: Figures, window: int) -> None:
    """The variant's paired comparison table."""
    print()
    print(
        f"pairs of {result.variant}: each story against the raw stream of its round; "
        f"speeds over the first {window}+ tokens (N, the body's; 0: the story was shorter)"
    )
    print(pair_header())
    for item in result.pairs:
        print(format_pair(item))


def print_figures(result: Figures, window: int) -> None:
    """The variant's medians, as lines of text."""
    print(f"medians over {len(result.used)} of {len(result.pairs)} pairs: {result.chosen}")
    for number, label in ATTEMPT_LABELS.items():
        of_try = sum(p.attempt == number for p in result.used)
        print(
            f"  TTFT, {label:<14} raw {result.raw_ms[number]:7.1f} ms  storybot "
            f"{result.app_ms[number]:7.1f} ms  added {result.added_ms[number]:+6.1f} ms "
            f"(paired {result.paired_ms[number]:+6.1f} ms, {of_try} pairs); storybot's "
            f"first_text_seconds {result.server_first_ms[number]:.1f} ms"
        )
    print(
        f"  tokens/s over the first {window}+ tokens, {result.speed_pairs} pairs: raw "
        f"{result.raw_tps:.1f}  storybot {result.app_tps:.1f}; ratio {result.ratio:.3f} "
        f"(median of pairs), from the call or POST {result.overall_ratio:.3f}"
    )
    print(
        f"  storybot: POST until the story (its 202, or its first event) {result.post_ms:.1f} "
        f"ms, queue_wait_seconds {result.queue_ms:.1f} ms"
    )


def print_checks(result: Figures, variant: Variant) -> None:
    """The variant's figures against its targets."""
    met = "met" if result.ratio >= variant.tps_target else "NOT met"
    print(
        f"ratio storybot/raw tokens/s: {result.ratio:.3f} (median of pairs; target >= "
        f"{variant.tps_target}: {met})"
    )
    for number, label in ATTEMPT_LABELS.items():
        verdict = "met" if result.added_ms[number] <= variant.ttft_target_ms else "NOT met"
        print(
            f"TTFT added by storybot, {label}: {result.added_ms[number]:+.1f} ms "
            f"(target <= {variant.ttft_target_ms:g} ms: {verdict})"
        )


def variant_header() -> str:
    """The header of the table of variants."""
    return (
        f"{'variant':<17}{'pairs':>6}{'new +ms':>9}{'(paired)':>9}{'cached +ms':>11}"
        f"{'(paired)':>9}{'srv 1st new':>12}{'cached':>7}{'queue':>6}{'rest':>6}"
        f"{'tok/s ratio':>12}{'POST ms':>8}  targets"
    )


def format_variant(result: Figures, variant: Variant) -> str:
    """One line of the table of variants: TTFT added (new and cached prompt), the
    server's own first_text_seconds, queue_wait_seconds and the rest of a cached
    prompt's TTFT (the request before its insert, and the delivery), the tokens/s
    ratio, and whether the targets hold."""
    held = (
        result.ratio >= variant.tps_target
        and max(result.added_ms.values()) <= variant.ttft_target_ms
    )
    return (
        f"{variant.name:<17}{len(result.used):>6}{result.added_ms[1]:>+9.1f}"
        f"{result.paired_ms[1]:>+9.1f}{result.added_ms[2]:>+11.1f}{result.paired_ms[2]:>+9.1f}"
        f"{result.server_first_ms[1]:>12.1f}{result.server_first_ms[2]:>7.1f}"
        f"{result.queue_ms:>6.1f}{result.rest_ms:>6.1f}{result.ratio:>12.3f}"
        f"{result.post_ms:>8.1f}  >= {variant.tps_target}x, "
        f"<= {variant.ttft_target_ms:g} ms: {'met' if held else 'NOT met'}"
    )


def print_differences(results: dict[str, Figures]) -> None:
    """Each variant's TTFT against the default's in the same round and attempt (both
    undisturbed): the median difference, its quartiles, and how often it was slower."""
    print()
    print(
        "TTFT against the default, same round and attempt, both undisturbed "
        "(ms: median [quartiles], rounds slower)"
    )
    base = {(p.round, p.attempt): p for p in results[DEFAULT.name].pairs if p.quiet}
    for name, result in results.items():
        if name == DEFAULT.name:
            continue
        cells = []
        for number, label in ATTEMPT_LABELS.items():
            diffs = sorted(
                (p.app_ttft - base[(p.round, p.attempt)].app_ttft) * 1000
                for p in result.pairs
                if p.quiet and p.attempt == number and (p.round, p.attempt) in base
            )
            slower = sum(d > 0 for d in diffs)
            cells.append(
                f"{label} {median(diffs):+6.1f} [{percentile(diffs, 0.25):+.1f}, "
                f"{percentile(diffs, 0.75):+.1f}] {slower}/{len(diffs)}"
            )
        print(f"  {name:<17}" + "   ".join(cells))


def summarize(
    attempts: list[Attempt],
    variants: Sequence[Variant],
    window: int,
    server_cpu_during_raw: float,
    elapsed: float,
) -> int:
    """Print the paired comparisons, medians, ratios and checks; return the exit status."""
    results = {v.name: figures(v.name, attempts, window) for v in variants}
    for variant in variants:
        print_pairs(results[variant.name], window)
    print()
    for variant in variants:
        if len(variants) > 1:
            print(f"{variant.name}: {variant.about}")
        print_figures(results[variant.name], window)
    raw_runs = [a for a in attempts if a.side == "raw"]
    stories = [a for a in attempts if a.side == "storybot"]
    print(
        f"  token counts: storybot stories {sorted(a.completion_tokens for a in stories)} "
        f"(body, closing and title); every raw stream "
        f"{sorted({a.completion_tokens for a in raw_runs})} tokens, finish "
        f"{sorted({a.finish for a in raw_runs})} (end tokens banned)"
    )
    print(
        f"  prompt tokens: raw {sorted({a.prompt_tokens for a in raw_runs})} (the round "
        "number is in the prompt; checked against Storybot's own rendering)"
    )
    raw_seconds = sum(a.end for a in raw_runs)
    print(
        f"  the idle server(s) used {server_cpu_during_raw * 1000:.0f} ms CPU during "
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
    if len(variants) == 1:
        print_checks(results[variants[0].name], variants[0])
    else:
        print(variant_header())
        for variant in variants:
            print(format_variant(results[variant.name], variant))
        print_differences(results)
    if any(a.finish != "length" or a.completion_tokens != max_tokens() for a in raw_runs):
        print("a raw stream did not write exactly max_tokens tokens", file=sys.stderr)
        return 1
    return 0
