"""Kibana's query language (KQL), the part the saved objects use, run on log documents.

Kibana sends KQL to Elasticsearch as a query; here the same query is run on
the documents in Python, with Elasticsearch's meaning for each field type: a
keyword matches its whole value (``*`` a wildcard), a text field matches its
words, a number or a date compares in ranges. The grammar read: ``field : value``,
``field : *`` (exists), ``field : ("a" or "b")``, ``field >= n`` (and ``>``, ``<``,
``<=``), ``and``, ``or``, ``not``, parentheses, quoted and bare values. Anything
else is an error, so a query these tests cannot read fails them.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:\\.|[^"\\])*")|(?P<op><=|>=|<|>|:)|(?P<paren>[()])
    |(?P<word>[^\s():<>"]+))""",
    re.VERBOSE,
)
_WORDS = re.compile(r"\w+")
TEXT_TYPES = {"text", "match_only_text"}
NUMBER_TYPES = {"long", "integer", "short", "byte", "double", "float", "scaled_float"}

Document = Mapping[str, Any]  # a flattened document: dotted path -> value
Matcher = Callable[[Document], bool]


class KqlSyntaxError(ValueError):
    """The query is not KQL of the kind this reader knows."""


@dataclass(frozen=True)
class Query:
    """A parsed query: the fields it names, and a test of a document."""

    text: str
    fields: frozenset[str]
    matches: Matcher


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise KqlSyntaxError(f"cannot read {text[position:]!r}")
        kind = match.lastgroup or ""
        token = match.group(kind)
        if kind == "word" and token.lower() in ("and", "or", "not"):
            kind, token = "keyword", token.lower()
        found.append((kind, token))
        position = match.end()
    return found


def _value_matches(field_type: str, pattern: str, quoted: bool, value: Any) -> bool:
    if field_type in TEXT_TYPES:
        wanted = [w.lower() for w in _WORDS.findall(pattern)]
        words = [w.lower() for w in _WORDS.findall(str(value))]
        return any(words[i : i + len(wanted)] == wanted for i in range(len(words)))
    if field_type in NUMBER_TYPES:
        return isinstance(value, (int, float)) and float(value) == float(pattern)
    if not quoted and "*" in pattern:
        return fnmatch.fnmatchcase(str(value), pattern)
    return str(value) == pattern


def _compare(op: str, value: Any, bound: float) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}[op]


class _Parser:
    def __init__(self, text: str, types: Mapping[str, str]) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.types = types
        self.fields: set[str] = set()

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise KqlSyntaxError(f"expected {value!r}")

    def either(self) -> Matcher:
        parts = [self.both()]
        while self.peek() == ("keyword", "or"):
            self.take()
            parts.append(self.both())
        return lambda doc: any(part(doc) for part in parts)

    def both(self) -> Matcher:
        parts = [self.negation()]
        while self.peek() == ("keyword", "and"):
            self.take()
            parts.append(self.negation())
        return lambda doc: all(part(doc) for part in parts)

    def negation(self) -> Matcher:
        if self.peek() == ("keyword", "not"):
            self.take()
            inner = self.negation()
            return lambda doc: not inner(doc)
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.either()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Matcher:
        kind, field = self.take()
        if kind != "word":
            raise KqlSyntaxError(f"expected a field, found {field!r}")
        if field not in self.types:
            raise KqlSyntaxError(f"{field} is not a field of the index template")
        self.fields.add(field)
        field_type = self.types[field]
        _, op = self.take()
        if op in ("<", "<=", ">", ">="):
            bound = float(self.take()[1])
            return lambda doc: _compare(op, doc.get(field), bound)
        if op != ":":
            raise KqlSyntaxError(f"expected ':' after {field}")
        if self.peek() == ("word", "*"):
            self.take()
            return lambda doc: doc.get(field) is not None
        values: list[tuple[str, bool]] = []
        if self.peek() == ("paren", "("):
            self.take()
            values.append(self.literal())
            while self.peek() == ("keyword", "or"):
                self.take()
                values.append(self.literal())
            self.expect(")")
        else:
            values.append(self.literal())

        def matches(doc: Document) -> bool:
            value = doc.get(field)
            found = value if isinstance(value, list) else [value]
            return any(
                item is not None and _value_matches(field_type, pattern, quoted, item)
                for item in found
                for pattern, quoted in values
            )

        return matches

    def literal(self) -> tuple[str, bool]:
        kind, token = self.take()
        if kind == "string":
            return token[1:-1].replace('\\"', '"'), True
        if kind == "word":
            return token, False
        raise KqlSyntaxError(f"expected a value, found {token!r}")


def parse(text: str, types: Mapping[str, str]) -> Query:
    """Parse ``text`` against the field types of an index template (dotted path -> type).

    The empty query matches every document, as in Kibana.
    """
    if not text.strip():
        return Query(text, frozenset(), lambda _doc: True)
    parser = _Parser(text, types)
    matcher = parser.either()
    if parser.peek()[0] != "end":
        raise KqlSyntaxError(f"unread: {parser.peek()[1]!r}")
    return Query(text, frozenset(parser.fields), matcher)
