"""A reader of the Logstash pipeline language, for the part the deployment's pipeline uses.

Logstash has no parser outside itself, so this one follows its grammar for the
plain parts: the ``input``/``filter``/``output`` sections, plugins and their
settings, and the values a setting takes (string, number, bareword, array,
hash). A conditional (``if``/``else``) or anything else it does not know is an
error, never skipped: the checks read everything the pipeline says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SECTIONS = ("input", "filter", "output")
_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>\#[^\n]*)
    |(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
    |(?P<arrow>=>)|(?P<punct>[{}\[\],])
    |(?P<number>-?\d+(?:\.\d+)?(?![\w-]))
    |(?P<bareword>[A-Za-z_@][\w-]*)""",
    re.VERBOSE,
)
# A field reference inside a string ("%{[a][b]}") or as a hash key ("[a][b]").
FIELD_REFERENCE = re.compile(r"^(?:\[[^\[\]]+\])+$")
SPRINTF = re.compile(r"%\{([^}]+)\}")


class ConfigSyntaxError(ValueError):
    """The text is not a pipeline of the kind this reader knows."""


@dataclass(frozen=True)
class Plugin:
    """One plugin of a section: its name and its settings, in order."""

    section: str
    name: str
    settings: dict[str, Any]


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConfigSyntaxError(
                f"unexpected text at {position}: {text[position : position + 30]!r}"
            )
        kind = match.lastgroup or ""
        if kind not in ("space", "comment"):
            found.append((kind, match.group()))
        position = match.end()
    return found


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        got_kind, got = self.peek()
        if (value is not None and got != value) or (kind is not None and got_kind != kind):
            raise ConfigSyntaxError(f"expected {value or kind}, found {got!r}")
        self.at += 1
        return got

    def value(self) -> Any:
        kind, token = self.peek()
        if kind == "string":
            self.at += 1
            return token[1:-1].replace("\\" + token[0], token[0])
        if kind == "number":
            self.at += 1
            return float(token) if "." in token else int(token)
        if kind == "bareword":
            self.at += 1
            return token
        if token == "[":
            self.take("[")
            items: list[Any] = []
            while self.peek()[1] != "]":
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("]")
            return items
        if token == "{":
            self.take("{")
            table: dict[Any, Any] = {}
            while self.peek()[1] != "}":
                key = self.value()
                self.take("=>")
                table[key] = self.value()
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("}")
            return table
        raise ConfigSyntaxError(f"no value at {token!r}")

    def plugin(self, section: str) -> Plugin:
        name = self.take(kind="bareword")
        if name in ("if", "else"):
            raise ConfigSyntaxError("conditionals are not read here: keep the pipeline plain")
        self.take("{")
        settings: dict[str, Any] = {}
        while self.peek()[1] != "}":
            key = self.take(kind="bareword")
            self.take("=>")
            if key in settings:
                raise ConfigSyntaxError(f"{section} {name}: {key} is set twice")
            settings[key] = self.value()
        self.take("}")
        return Plugin(section, name, settings)


def read_pipeline(text: str) -> list[Plugin]:
    """The plugins of a pipeline, section by section, in the order written."""
    reader = _Reader(text)
    plugins: list[Plugin] = []
    while reader.peek()[0] != "end":
        section = reader.take(kind="bareword")
        if section not in SECTIONS:
            raise ConfigSyntaxError(f"{section!r} is not a section")
        reader.take("{")
        while reader.peek()[1] != "}":
            plugins.append(reader.plugin(section))
        reader.take("}")
    return plugins


def field_path(reference: str) -> str:
    """The dotted path of a field reference: ``[user][id]`` is ``user.id``."""
    if not FIELD_REFERENCE.match(reference):
        return reference  # a top-level field written without brackets
    return ".".join(reference[1:-1].split("]["))


def field_references(value: Any) -> list[str]:
    """Every field reference a setting's value makes, as dotted paths: hash keys and array
    items written ``[a][b]``, and the ``%{[a][b]}`` of a string."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += field_references(key) + field_references(item)
    elif isinstance(value, list):
        for item in value:
            found += field_references(item)
    elif isinstance(value, str):
        if FIELD_REFERENCE.match(value):
            found.append(field_path(value))
        found += [
            field_path(inner) for inner in SPRINTF.findall(value) if not inner.startswith("+")
        ]
    return found
