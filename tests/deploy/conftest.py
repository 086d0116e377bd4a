"""Fixtures of the deployment tests: the real programs a server runs beside Storybot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

# Where Debian puts the programs these tests drive (sbin is not on every PATH).
SYSTEM_PATHS = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def program(name: str) -> str:
    """The path of a program the deployment tests need; the test fails when it is missing.

    ``scripts/test.sh`` installs each one from Debian's packages, so a missing one is
    a broken set-up, never a reason to skip.
    """
    found = shutil.which(name, path=SYSTEM_PATHS)
    if found is None:
        pytest.fail(f"{name} is not installed: run scripts/test.sh, which installs it from apt")
    return found
