"""What Logstash makes of a Storybot log line, and what the index template allows.

The pipeline (``deploy/logstash/storybot.conf``) is read with
:mod:`tests.deploy.logstash_config` and its steps are applied to each real
line as Logstash applies them; the fields Logstash itself adds are those its
documentation names for the plugins used (the file input and json codec in ECS
mode, the Elasticsearch output writing to a data stream).
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from typing import Any

from tests.deploy.logstash_config import Plugin, field_path

# Added by Logstash to every event: the event's own version, and in ECS mode (v8) the
# file input's [host][name] and [log][file][path], the json codec's [event][original].
# The Elasticsearch output adds the data stream's three names (data_stream_sync_fields).
SHIPPER_HOST = "storybot-1"


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A JSON document as dotted paths to its values: ``{"log": {"level": ..}}`` and
    ``{"log.level": ..}`` are both ``log.level``, as Elasticsearch reads them."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def ship(raw_line: str, pipeline: list[Plugin]) -> dict[str, Any]:
    """The document Logstash sends to Elasticsearch for one line, flattened."""
    (source,) = [p for p in pipeline if p.section == "input"]
    paths = source.settings["path"]
    document = flatten(json.loads(raw_line))  # codec => json
    document["@version"] = "1"
    document["host.name"] = SHIPPER_HOST
    document["log.file.path"] = paths[0] if isinstance(paths, list) else paths
    document["event.original"] = raw_line
    for step in (p for p in pipeline if p.section == "filter"):
        if step.name != "mutate" or set(step.settings) - {"id", "remove_field", "convert"}:
            raise AssertionError(f"the test does not know what {step} does: teach ship()")
        for reference in step.settings.get("remove_field", []):
            document.pop(field_path(reference), None)
        for reference, kind in step.settings.get("convert", {}).items():
            path = field_path(reference)
            if path in document:
                document[path] = _convert(document[path], kind)
    (sink,) = [p for p in pipeline if p.section == "output"]
    if str(sink.settings.get("data_stream")) == "true":
        for part in ("type", "dataset", "namespace"):
            document[f"data_stream.{part}"] = sink.settings[f"data_stream_{part}"]
    return document


def _convert(value: Any, kind: str) -> Any:
    converters = {"string": str, "integer": int, "float": float}
    if kind not in converters:
        raise AssertionError(f"convert to {kind} is not simulated")
    return converters[kind](value)


def template_fields(mappings: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The leaf fields of a mapping (dotted path -> type, multi-fields included) and the
    ``dynamic`` setting of every object (dotted path, "" for the root -> setting)."""
    leaves: dict[str, str] = {}
    dynamic: dict[str, str] = {}

    def walk(node: dict[str, Any], prefix: str, inherited: str) -> None:
        setting = str(node.get("dynamic", inherited)).lower()
        dynamic[prefix.rstrip(".")] = setting
        for name, child in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            if "properties" in child or child.get("type", "object") == "object":
                walk(child, f"{path}.", setting)
            else:
                leaves[path] = child["type"]
                for sub, multi in child.get("fields", {}).items():
                    leaves[f"{path}.{sub}"] = multi["type"]

    walk(mappings, "", "true")
    return leaves, dynamic


def type_problem(field_type: str, value: Any) -> str | None:
    """Why Elasticsearch would refuse ``value`` for a field of ``field_type``, or None."""
    if isinstance(value, list):
        problems = [type_problem(field_type, item) for item in value]
        return next((p for p in problems if p), None)
    if field_type == "date":
        if not isinstance(value, str):
            return "a date must be an ISO 8601 string"
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"{value!r} is not an ISO 8601 date"
        return None
    if field_type == "long":
        if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
            return f"{value!r} is not a 64-bit integer"
        return None
    if field_type == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return f"{value!r} is not an IP address"
        return None
    if field_type in ("keyword", "constant_keyword", "wildcard", "text", "match_only_text"):
        return None if isinstance(value, str) else f"{value!r} is not a string"
    return f"the test does not know the type {field_type}"
