"""The wheel's build step (pyproject.toml, ``tool.setuptools.cmdclass``).

Two things happen when a wheel is built, never in an editable install:

- the built web UI must be in the package: ``storybot/static/index.html`` and every
  file it refers to. A wheel without it would install a Storybot that answers the
  API but shows no UI, so the build stops with the way to build it instead;
- ``storybot/_build.json`` is written into the wheel: the git commit of the tree it
  was built from and the build time, which ``storybot --version`` shows (beside the
  release id the deployment gives the release it installs the wheel into).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

SOURCE = Path(__file__).resolve().parents[1]
BUILD_FILE = "_build.json"
# The files index.html loads from its own site: src="/x.js", href="/assets/y.css".
_LOCAL_REFERENCE = re.compile(r"""(?:src|href)=["']/(?!/)([^"'?#]+)""")
HOW_TO_BUILD = "build it first: scripts/install.sh, or cd web && npm ci && npm run build"


class MissingWebUI(SetupError):
    """The package has no complete built web UI in ``storybot/static``."""


def check_web_ui(static: Path) -> list[str]:
    """The files the built UI's ``index.html`` refers to; raise when any is missing."""
    index = static / "index.html"
    if not index.is_file():
        raise MissingWebUI(
            f"the web UI is not built (storybot/static/index.html is missing): {HOW_TO_BUILD}"
        )
    references = sorted(set(_LOCAL_REFERENCE.findall(index.read_text(encoding="utf-8"))))
    missing = [name for name in references if not (static / name).is_file()]
    if missing:
        raise MissingWebUI(
            f"the built web UI is incomplete: index.html refers to {', '.join(missing)}, "
            f"missing from storybot/static: {HOW_TO_BUILD}"
        )
    if not any(name.startswith("assets/") and name.endswith(".js") for name in references):
        raise MissingWebUI(
            "storybot/static/index.html loads no script from assets/: it is the source page, "
            f"not the built one: {HOW_TO_BUILD}"
        )
    return references


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=SOURCE, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def build_stamp() -> dict[str, str | None]:
    """What ``storybot/_build.json`` says: the commit (``+dirty`` when the tree had
    changes not committed; ``STORYBOT_BUILD_COMMIT`` when it is no git checkout) and
    the build time (``SOURCE_DATE_EPOCH`` when set)."""
    commit = os.environ.get("STORYBOT_BUILD_COMMIT") or _git("rev-parse", "HEAD")
    if commit and "STORYBOT_BUILD_COMMIT" not in os.environ and _git("status", "--porcelain"):
        commit += "+dirty"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    built = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return {
        "commit": commit or None,
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


class BuildPy(build_py):
    """setuptools' ``build_py``, which checks the web UI and stamps the build."""

    def run(self) -> None:
        """Copy the package afresh (no stale file of an earlier build), check, stamp."""
        editable = getattr(self, "editable_mode", False)
        if not editable:
            shutil.rmtree(Path(self.build_lib) / "storybot", ignore_errors=True)
        super().run()
        if editable:
            return
        package = Path(self.build_lib) / "storybot"
        check_web_ui(package / "static")
        (package / BUILD_FILE).write_text(json.dumps(build_stamp()) + "\n", encoding="utf-8")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The files built, with the stamp."""
        outputs: list[str] = super().get_outputs(include_bytecode)
        if not getattr(self, "editable_mode", False):
            outputs.append(str(Path(self.build_lib) / "storybot" / BUILD_FILE))
        return outputs
