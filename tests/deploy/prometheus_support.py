"""What the Prometheus tests share: the metric names the shipped rules and dashboard use,
a Storybot that has written stories, and its scrape parsed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.conftest import DEPLOY
from tests.support import LiveServer, free_port

PROMETHEUS = DEPLOY / "prometheus"
RULE_FILES = ("storybot-rules.yml", "storybot-alerts.yml")
DASHBOARD = DEPLOY / "grafana" / "storybot.json"

# A raw Storybot series in PromQL: not part of a recording rule's name (level:metric:ops).
_NAME = re.compile(r"(?<![\w:])(storybot_[a-z0-9_]+)(?![\w:])")
_RECORDED = re.compile(r"(?<![\w:])([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)(?![\w:])")
_SELECTOR = re.compile(r"(?<![\w:])(storybot_[a-z0-9_]+)\{([^}]*)\}")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
# Labels Prometheus adds (job, instance) or a histogram's buckets have (le).
TARGET_LABELS = frozenset({"job", "instance", "le"})


def rule_exprs() -> list[str]:
    """Every expression of the shipped recording and alerting rules."""
    exprs = []
    for name in RULE_FILES:
        for group in yaml.safe_load((PROMETHEUS / name).read_text())["groups"]:
            exprs.extend(str(rule["expr"]) for rule in group["rules"])
    return exprs


def recorded_names() -> set[str]:
    """The names the shipped recording rules record."""
    return {
        str(rule["record"])
        for group in yaml.safe_load((PROMETHEUS / "storybot-rules.yml").read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


def recording_names_used(exprs: list[str]) -> set[str]:
    """The recording rules' names (``level:metric:operations``) that ``exprs`` read."""
    return set(_RECORDED.findall("\n".join(exprs)))


def dashboard_exprs() -> list[str]:
    """Every query expression of the Grafana dashboard's panels."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


@dataclass
class Used:
    """The raw Storybot series names and the label names that PromQL expressions use."""

    names: set[str] = field(default_factory=set)
    labels: dict[str, set[str]] = field(default_factory=dict)  # by series name
    grouping: set[str] = field(default_factory=set)


def used_by(exprs: list[str]) -> Used:
    """What ``exprs`` read: series names, the labels their selectors match, the labels
    they group or match on."""
    used = Used()
    for expr in exprs:
        used.names.update(_NAME.findall(expr))
        for name, matchers in _SELECTOR.findall(expr):
            used.labels.setdefault(name, set()).update(_MATCHER_LABEL.findall(matchers))
        for labels in _GROUPING.findall(expr):
            used.grouping.update(label.strip() for label in labels.split(",") if label.strip())
    return used


@dataclass(frozen=True)
class Scrape:
    """A parsed ``/metrics``: each sample name with the label names seen on it."""

    labels: dict[str, set[str]]
    values: list[tuple[str, dict[str, str], float]]

    @classmethod
    def of(cls, text: str) -> Scrape:
        """Parse an exposition text (it must parse)."""
        labels: dict[str, set[str]] = {}
        values = []
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels.setdefault(sample.name, set()).update(sample.labels)
                values.append((sample.name, dict(sample.labels), sample.value))
        return cls(labels, values)

    def value(self, name: str, **wanted: str) -> float:
        """The sum of the samples named ``name`` whose labels include ``wanted``."""
        return sum(
            value
            for found, labels, value in self.values
            if found == name and wanted.items() <= labels.items()
        )


def use_engines(server: LiveServer) -> None:
    """Engines for the scrape: ``fake`` (the default, it writes), ``gone`` (a server on a
    port nothing listens on: its stories fail, its health check fails)."""
    engines = {
        "local": {"type": "local"},
        "fake": {"type": "fake"},
        "gone": {
            "type": "openai",
            "base_url": f"http://127.0.0.1:{free_port()}/v1",
            "model": "nothing",
            "connect_timeout": 1.0,
        },
    }
    server.use_engines(engines, "fake")


def write_story(server: LiveServer, engine: str | None = None) -> dict:
    """Ask for a story (with ``engine``, else the default) and wait until it ends."""
    asked = {"prompt": "A fox who counts the stars.", **({"engine": engine} if engine else {})}
    made = server.session.post(f"{server.url}/api/stories", json=asked, timeout=30)
    assert made.status_code == 202, made.text
    return server.ended_story(made.json()["id"], timeout=30)


def scrape(url: str) -> Scrape:
    """GET ``url`` (a /metrics) and parse it."""
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    return Scrape.of(answer.text)


def names_missing(used: Used, scraped: Scrape) -> Iterator[str]:
    """Each name or label ``used`` reads that ``scraped`` lacks, said in words."""
    every_label = set().union(*scraped.labels.values()) | TARGET_LABELS
    for name in sorted(used.names):
        if name not in scraped.labels:
            yield f"{name} is not in the scrape"
            continue
        for label in sorted(used.labels.get(name, set()) - scraped.labels[name] - TARGET_LABELS):
            yield f"{name} has no label {label}"
    for label in sorted(used.grouping - every_label):
        yield f"no Storybot series has the label {label} that an expression groups by"
