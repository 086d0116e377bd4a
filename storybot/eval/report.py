"""The eval's totals, side by side per method: a terminal table, JSON, Markdown and a plot."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from storybot.eval.run import METHODS, Method, StoryResult

RATES: dict[str, str] = {
    "finished": "finished (ended itself, complete sentence)",
    "own_title": "a title of its own",
    "length_ok": "length within ±25%",
    "name_used": "reader's name used",
    "interest_used": "an interest used",
    "idea_kept": "the idea kept",
    "reading_ok": "reading level within one grade",
}
TARGETS: dict[str, float] = {
    "finished": 1.0,
    "own_title": 1.0,
    "length_ok": 0.9,
    "name_used": 0.98,
    "interest_used": 0.9,
    "idea_kept": 0.95,
    "distinct_4grams": 0.9,
    "reading_ok": 0.8,
}


@dataclass(frozen=True)
class Totals:
    """One method's figures over the stories it wrote."""

    method: Method
    stories: int
    rates: dict[str, float]
    distinct_4grams: float  # mean
    words_ratio: float  # mean of words written / words asked
    seconds_to_first_text: float | None  # median
    tokens_per_second: float | None  # median


def totals(results: Sequence[StoryResult], method: Method) -> Totals:
    """The totals of ``method`` over ``results``."""
    mine = [r for r in results if r.method == method]
    count = len(mine) or 1
    rates = {key: sum(bool(getattr(r.measures, key)) for r in mine) / count for key in RATES}
    ttft = [r.seconds_to_first_text for r in mine if r.seconds_to_first_text is not None]
    speed = [r.tokens_per_second for r in mine if r.tokens_per_second is not None]
    return Totals(
        method=method,
        stories=len(mine),
        rates=rates,
        distinct_4grams=round(statistics.fmean(r.measures.distinct_4grams for r in mine), 3)
        if mine
        else 0.0,
        words_ratio=round(
            statistics.fmean(r.measures.words / r.measures.target_words for r in mine), 2
        )
        if mine
        else 0.0,
        seconds_to_first_text=round(statistics.median(ttft), 3) if ttft else None,
        tokens_per_second=round(statistics.median(speed), 1) if speed else None,
    )


def _rows(results: Sequence[StoryResult]) -> list[tuple[str, list[str], str]]:
    """(label, one value per method, target) for every figure."""
    all_totals = [totals(results, m) for m in METHODS]
    rows: list[tuple[str, list[str], str]] = []
    for key, label in RATES.items():
        values = [f"{t.rates[key]:.0%}" for t in all_totals]
        rows.append((label, values, f"{TARGETS[key]:.0%}"))
    rows.append(
        ("distinct 4-grams (mean)", [f"{t.distinct_4grams:.2f}" for t in all_totals], "0.90")
    )
    ratios = [f"{t.words_ratio:.2f}" for t in all_totals]
    rows.append(("words / words asked (mean)", ratios, "1.00"))
    rows.append(
        (
            "time to first text (median, s)",
            [_maybe(t.seconds_to_first_text, "{:.3f}") for t in all_totals],
            "",
        )
    )
    rows.append(
        (
            "tokens/s (median)",
            [_maybe(t.tokens_per_second, "{:.0f}") for t in all_totals],
            "",
        )
    )
    rows.append(("stories", [str(t.stories) for t in all_totals], ""))
    return rows


def table(results: Sequence[StoryResult]) -> str:
    """The totals as a plain-text table for the terminal."""
    rows = _rows(results)
    header = ("", *METHODS, "target")
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{header[0]:<{width}}" + "".join(f"{h:>10}" for h in header[1:])]
    for label, values, target in rows:
        lines.append(f"{label:<{width}}" + "".join(f"{v:>10}" for v in values) + f"{target:>10}")
    return "\n".join(lines)


def write_report(
    results: Sequence[StoryResult], folder: Path, *, engine: str, model: str, command: str
) -> list[Path]:
    """Write results.json, report.md and quality.png into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    data = {
        "engine": engine,
        "model": model,
        "command": command,
        "date": when,
        "totals": [asdict(totals(results, m)) for m in METHODS],
        "targets": TARGETS,
        "stories": [asdict(r) for r in results],
    }
    json_path = folder / "results.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    plot_path = folder / "quality.png"
    _plot(results, plot_path, title=f"{engine} ({model})")
    md_path = folder / "report.md"
    md_path.write_text(
        _markdown(results, engine=engine, model=model, command=command, when=when),
        encoding="utf-8",
    )
    return [json_path, md_path, plot_path]


def _markdown(
    results: Sequence[StoryResult], *, engine: str, model: str, command: str, when: str
) -> str:
    lines = [
        f"# Story quality: {engine} ({model})",
        "",
        f"{when}, `{command}`",
        "",
        "| | " + " | ".join(METHODS) + " | target |",
        "| --- | " + " | ".join("---" for _ in METHODS) + " | --- |",
    ]
    lines += [f"| {label} | " + " | ".join(v) + f" | {t} |" for label, v, t in _rows(results)]
    lines += [
        "",
        "![The rates of each method beside their targets](quality.png)",
        "",
        "## Each story",
        "",
        "| case | method | length | finished | title | words | name | interest | idea "
        "| 4-grams | grade (target) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        m = r.measures
        title = r.title.replace("|", "\\|") if m.own_title else f"~~{r.title.replace('|', '')}~~"
        lines.append(
            f"| {r.case} | {r.method} | {r.length} | {_tick(m.finished)} ({r.finish_reason}) "
            f"| {title or '–'} | {m.words:.0f}/{m.target_words} | {_tick(m.name_used)} "
            f"| {_tick(m.interest_used)} | {_tick(m.idea_kept)} | {m.distinct_4grams:.2f} "
            f"| {_maybe(m.reading_grade, '{:.1f}')} ({m.target_grade:.0f}) |"
        )
    return "\n".join(lines) + "\n"


def _plot(results: Sequence[StoryResult], path: Path, *, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    import matplotlib.pyplot as plt

    keys = [*RATES, "distinct_4grams"]
    labels = [RATES.get(k, "distinct 4-grams").split(" (")[0] for k in keys]
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    width = 0.38
    for index, method in enumerate(METHODS):
        t = totals(results, method)
        values = [t.rates.get(k, t.distinct_4grams) for k in keys]
        positions = [i + (index - 0.5) * width for i in range(len(keys))]
        ax.bar(positions, values, width, label=method)
    ax.scatter(range(len(keys)), [TARGETS[k] for k in keys], marker="_", s=600, c="black",
               label="target", zorder=3)  # fmt: skip
    ax.set_xticks(range(len(keys)), labels, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of stories (4-grams: mean)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, never over them
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _tick(value: bool) -> str:
    return "✓" if value else "✗"


def _maybe(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)
