"""Which release runs: ``storybot --version`` and the build stamp it reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storybot import release
from tests.test_cli import storybot


def test_version_of_a_source_checkout(tmp_path: Path) -> None:
    """Without a build stamp, the command says it runs from a development checkout."""
    done = storybot(tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "storybot 0.1.0 (development checkout, no build stamp)"


def test_version_of_a_deployed_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wheel's stamp (commit, build time) and the release id the deployment wrote
    into the virtual environment (tests/deploy covers a real one)."""
    package = tmp_path / "storybot"
    package.mkdir()
    stamp = {"commit": "abc1234" * 6 + "+dirty", "built": "2026-12-01T12:00:00Z"}
    (package / release.BUILD_FILE).write_text(json.dumps(stamp))
    (tmp_path / release.RELEASE_FILE).write_text("20261201T120000Z-abc1234\n")
    monkeypatch.setattr(release.resources, "files", lambda _name: package)
    monkeypatch.setattr(release.sys, "prefix", str(tmp_path))
    release.release_info.cache_clear()
    try:
        info = release.release_info()
    finally:
        release.release_info.cache_clear()
    assert info.release == "20261201T120000Z-abc1234"
    assert info.describe() == (
        "storybot 0.1.0 (release 20261201T120000Z-abc1234, commit abc1234abc12+dirty, "
        "built 2026-12-01T12:00:00Z)"
    )
