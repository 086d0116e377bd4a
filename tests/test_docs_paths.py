"""The documentation names only files that exist: every ``storybot/...``, ``deploy/...``,
``tests/...`` and ``scripts/...`` path in the README, docs/ and the deploy folder's
READMEs is a file or folder of the checkout, and every relative link leads to one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A path that starts a word (not the tail of /var/lib/storybot/...), up to a space,
# backquote or closing punctuation.
NAMED_PATH = re.compile(r"(?<![\w/.-])(?:storybot|deploy|tests|scripts)/[\w./@*-]*[\w/]")
# A markdown link to a file of the checkout: [text](../deploy/x.md#part)
RELATIVE_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)\s]*)?\)")
# Made later, absent from a source checkout: the web UI's build output, the wheel's build
# stamp, and the Fabric settings an operator writes.
NOT_IN_A_CHECKOUT = {"storybot/static", "storybot/_build.json", "deploy/fabric.yaml"}
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "deploy").glob("**/README.md")),
]


def _exists(path: str) -> bool:
    if path.rstrip("/") in NOT_IN_A_CHECKOUT or path.startswith("storybot/static/"):
        return True
    if "*" in path:  # a glob: some file matches it
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def test_every_path_named_in_the_docs_exists() -> None:
    missing = [
        f"{document.relative_to(ROOT)}: {path}"
        for document in DOCUMENTS
        for path in NAMED_PATH.findall(document.read_text(encoding="utf-8"))
        if not _exists(path)
    ]
    assert missing == []


def test_every_relative_link_in_the_docs_leads_to_a_file() -> None:
    broken = [
        f"{document.relative_to(ROOT)}: {link}"
        for document in DOCUMENTS
        for link in RELATIVE_LINK.findall(document.read_text(encoding="utf-8"))
        if not (document.parent / link).exists()
    ]
    assert broken == []
