"""Prompt templates: ``{{name}}`` placeholders, typed variables and rendering.

A prompt's content may hold ``{{animal}}`` (a variable the prompt declares,
with a type and a default) and ``{{reader.name}}`` (a field of the reader the
story is for). Any other brace is literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from storybot.errors import InvalidInput, invalid_field

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}")
READER_FIELDS = (
    "name",
    "age",
    "interests",
    "language",
    "reading_level",
    "favourite_things",
    "things_to_avoid",
)
MAX_TEXT_VALUE = 200


def placeholders(content: str) -> list[str]:
    """The distinct placeholder names in ``content``, in order of first use."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(content):
        seen.setdefault(match.group(1), None)
    return list(seen)


def check_template(content: str, variables: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate placeholders against declared variables; return the full variable list.

    A placeholder that names no declared variable is declared as a required text
    variable, so that a prompt typed with ``{{hero}}`` just works. Unknown reader
    fields and variables declared twice are errors.
    """
    declared = [dict(v) for v in variables]
    names = [v["name"] for v in declared]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            f"Template variable '{duplicates[0]}' is declared more than once.",
            [invalid_field("variables", "duplicate_variable", name=d) for d in duplicates],
        )
    for name in placeholders(content):
        if name.startswith("reader."):
            field = name.removeprefix("reader.")
            if field not in READER_FIELDS:
                raise InvalidInput(
                    f"{{{{{name}}}}} is not a reader field; use one of: "
                    + ", ".join(f"reader.{f}" for f in READER_FIELDS),
                    [invalid_field("content", "unknown_reader_field", field=field)],
                )
        elif "." in name:
            raise InvalidInput(
                f"{{{{{name}}}}} is not a valid placeholder: only reader fields have a dot.",
                [invalid_field("content", "invalid_placeholder", name=name)],
            )
        elif name not in names:
            declared.append({"name": name, "type": "text", "label": None, "default": None})
            names.append(name)
    return declared


def _coerce(variable: Mapping[str, Any], value: Any) -> str:
    name, kind = variable["name"], variable.get("type", "text")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(
                f"Template variable '{name}' must be a number.",
                [invalid_field(f"variables.{name}", "not_a_number", name=name)],
            )
        return f"{value:g}" if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        raise InvalidInput(
            f"Template variable '{name}' must be text.",
            [invalid_field(f"variables.{name}", "not_text", name=name)],
        )
    if kind == "choice" and value not in variable.get("options", []):
        options = ", ".join(variable.get("options", []))
        raise InvalidInput(
            f"Template variable '{name}' must be one of: {options}.",
            [invalid_field(f"variables.{name}", "not_an_option", name=name, options=options)],
        )
    if len(value) > MAX_TEXT_VALUE:
        raise InvalidInput(
            f"Template variable '{name}' is longer than {MAX_TEXT_VALUE} characters.",
            [invalid_field(f"variables.{name}", "value_too_long", name=name, max=MAX_TEXT_VALUE)],
        )
    return value


def _reader_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def render(
    content: str,
    variables: Iterable[Mapping[str, Any]],
    values: Mapping[str, Any],
    reader: Mapping[str, Any] | None = None,
) -> str:
    """Fill the placeholders of ``content``; raise :class:`InvalidInput` naming a bad variable."""
    declared = {v["name"]: v for v in variables}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise InvalidInput(
            f"This prompt has no variable named '{unknown[0]}'.",
            [invalid_field(f"variables.{u}", "unknown_variable", name=u) for u in unknown],
        )
    filled: dict[str, str] = {}
    for name, variable in declared.items():
        if name in values:
            filled[name] = _coerce(variable, values[name])
        elif variable.get("default") is not None:
            filled[name] = _coerce(variable, variable["default"])
        else:
            raise InvalidInput(
                f"Template variable '{name}' needs a value.",
                [invalid_field(f"variables.{name}", "value_required", name=name)],
            )

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("reader."):
            return _reader_value((reader or {}).get(name.removeprefix("reader.")))
        return filled.get(name, match.group(0))

    return PLACEHOLDER.sub(substitute, content)
