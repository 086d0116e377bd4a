"""``storybot eval`` on the real built-in model: the test subset meets its thresholds.

The subset is six English cases of the suite (short, medium and long), each
written by Storybot's pipeline and by naive prompting with the same seed. A
change to composition or generation that makes the stories worse fails here;
the full suite is a benchmark (docs/quality.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storybot.eval.suite import load_suite
from tests.support import ROOT

SUBSET = 6


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the eval subset once, through the command as a user runs it."""
    folder = tmp_path_factory.mktemp("eval")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
    env["STORYBOT_DATA_DIR"] = str(folder / "data")
    done = subprocess.run(
        [sys.executable, "-m", "storybot", "eval", "--subset", "--out", str(folder / "report")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "storybot" in done.stdout
    assert "naive" in done.stdout
    return folder / "report"


def totals(report: Path) -> dict[str, dict]:
    data = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return {t["method"]: t for t in data["totals"]}


# The subset writes twelve stories on the real model: about a minute on a quiet
# machine, so the fixture's first test gets more than pytest's usual five minutes.
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_subset_on_the_built_in_model_meets_its_thresholds(report: Path) -> None:
    mine = totals(report)["storybot"]
    rates = mine["rates"]
    assert mine["stories"] == SUBSET == len(load_suite().subset)
    assert rates["finished"] == 1.0  # every story ends on a complete sentence, by itself
    assert rates["own_title"] == 1.0  # and has a title that is not the request
    assert rates["length_ok"] >= 5 / 6
    assert rates["name_used"] >= 5 / 6
    assert rates["interest_used"] >= 5 / 6
    assert rates["idea_kept"] >= 4 / 6
    assert mine["distinct_4grams"] >= 0.9


@pytest.mark.slow
def test_storybot_beats_naive_prompting_on_the_same_model(report: Path) -> None:
    both = totals(report)
    mine, naive = both["storybot"]["rates"], both["naive"]["rates"]
    assert both["naive"]["stories"] == SUBSET
    assert mine["own_title"] > naive["own_title"]
    assert mine["length_ok"] > naive["length_ok"]
    assert sum(mine.values()) > sum(naive.values())


@pytest.mark.slow
def test_the_report_has_its_table_stories_and_plot(report: Path) -> None:
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert "| a title of its own |" in markdown
    assert "![The rates of each method beside their targets](quality.png)" in markdown
    rows = [line for line in markdown.splitlines() if line.split(" | ")[1:2] == ["storybot"]]
    assert len(rows) == SUBSET  # one row per story and method
    assert (report / "quality.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stories = json.loads((report / "results.json").read_text(encoding="utf-8"))["stories"]
    assert {s["case"] for s in stories} == set(load_suite().subset)
    assert all(s["text"] for s in stories)
