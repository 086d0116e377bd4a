"""The documentation names only files that exist: every ``storybot/...`` path in docs/ and
the README is a file or folder of the package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A path that starts a word (not the tail of /var/lib/storybot/...), up to a space,
# backquote or closing punctuation.
NAMED_PATH = re.compile(r"(?<![\w/.-])storybot/[\w./-]*[\w/]")
BUILT = {"storybot/static"}  # the web UI's build output, absent from a source checkout


def test_every_storybot_path_named_in_the_docs_exists() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    missing = [
        f"{document.relative_to(ROOT)}: {path}"
        for document in documents
        for path in NAMED_PATH.findall(document.read_text(encoding="utf-8"))
        if path.rstrip("/") not in BUILT and not (ROOT / path).exists()
    ]
    assert missing == []
