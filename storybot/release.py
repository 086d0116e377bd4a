"""Which release of Storybot runs: the package version and what the build stamped into it.

A wheel built by ``python -m build`` (``deploy/build_hooks.py``) carries
``storybot/_build.json``: the git commit it was built from, and when. The deployment
(``deploy/fabfile.py``) installs it into ``releases/<id>/venv`` and writes the release id
into that environment's ``storybot-release`` file. A source checkout installed in
editable mode has neither: it says it is a development checkout.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

BUILD_FILE = "_build.json"
# In the virtual environment (sys.prefix) of a deployed release: its id.
RELEASE_FILE = "storybot-release"


@dataclass(frozen=True)
class ReleaseInfo:
    """The version of the package, and the release, commit and build time of its wheel."""

    version: str
    release: str | None = None
    commit: str | None = None
    built: str | None = None

    def describe(self) -> str:
        """One line for ``storybot --version``: version, then the release it belongs to."""
        if self.release is None and self.commit is None:
            return f"storybot {self.version} (development checkout, no build stamp)"
        parts = [f"release {self.release}"] if self.release else []
        if self.commit:
            dirty = "+dirty" if self.commit.endswith("+dirty") else ""
            parts.append(f"commit {self.commit.removesuffix('+dirty')[:12]}{dirty}")
        if self.built:
            parts.append(f"built {self.built}")
        return f"storybot {self.version} ({', '.join(parts)})"


@cache
def release_info() -> ReleaseInfo:
    """What the running package says of itself (read once per process)."""
    from storybot import __version__

    try:
        text = resources.files("storybot").joinpath(BUILD_FILE).read_text(encoding="utf-8")
        stamp = json.loads(text)
    except (OSError, ValueError):
        stamp = {}
    try:
        release = (Path(sys.prefix) / RELEASE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        release = ""
    return ReleaseInfo(
        version=__version__,
        release=release or None,
        commit=_text(stamp.get("commit")),
        built=_text(stamp.get("built")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
