"""Storybot's wheel, built once per test session for the packaging and deployment tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

_BUILT: dict[str, Path] = {}


def build(source: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m build --wheel`` of ``source``, in build's isolated environment: what a
    release build does (6 s here; ``pip wheel --no-deps`` takes as long, and a build
    without isolation needs a newer setuptools than the one Storybot runs with)."""
    return subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(source)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")},
        timeout=300,
    )


def storybot_wheel(factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (built at the first call of the session)."""
    if "wheel" not in _BUILT:
        if not (ROOT / "storybot" / "static" / "index.html").is_file():
            pytest.fail("the web UI is not built: run scripts/install.sh first")
        outdir = factory.mktemp("wheel")
        done = build(ROOT, outdir)
        assert done.returncode == 0, done.stdout + done.stderr
        (_BUILT["wheel"],) = outdir.glob("storybot-*.whl")
    return _BUILT["wheel"]
