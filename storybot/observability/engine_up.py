"""``storybot_engine_up``: whether each configured engine can write, checked at each scrape.

A web process's ``/metrics`` asks every configured engine for its health (the
same cheap check as ``GET /api/engines``: a local model's file is there, a
server lists its models) while Prometheus scrapes, so the value is never
older than the scrape. The checks run side by side, so one server that does
not answer costs one health timeout (3 s), not one per engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineProbe:
    """One configured engine and the check that says whether it can write now."""

    name: str
    kind: str
    healthy: Callable[[], bool]


EngineProbes = Callable[[], Sequence[EngineProbe]]
"""The configured engines, as probes (read when a scrape asks)."""


def _check(probe: EngineProbe) -> tuple[bool, float]:
    """Whether the probe's engine can write (an engine whose check raises cannot), and the
    seconds the check took."""
    started = time.perf_counter()
    try:
        ok = probe.healthy()
    except Exception:
        log.exception("the health check of engine %s failed", probe.name)
        ok = False
    return ok, time.perf_counter() - started


class EngineUpCollector(Collector):
    """Collects ``storybot_engine_up`` and ``storybot_engine_health_check_seconds`` for the
    engines ``probes`` lists, when a scrape asks for them."""

    def __init__(self, probes: EngineProbes) -> None:
        self._probes = probes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Check every engine now; no series when the engines cannot be read (the database
        is down: ``/api/ready`` and the request metrics say so)."""
        up = GaugeMetricFamily(
            "storybot_engine_up",
            "1 when the engine's health check passes now (the model file exists, the server "
            "answers and lists the model), else 0.",
            labels=["engine", "kind"],
        )
        took = GaugeMetricFamily(
            "storybot_engine_health_check_seconds",
            "Time the engine's health check took at this scrape.",
            labels=["engine"],
        )
        try:
            probes = list(self._probes())
        except Exception:
            log.exception("the engines could not be read for storybot_engine_up")
            probes = []
        if probes:
            with ThreadPoolExecutor(max_workers=min(len(probes), 8)) as pool:
                results = list(pool.map(_check, probes))
            for probe, (ok, seconds) in zip(probes, results, strict=True):
                up.add_metric([probe.name, probe.kind], 1.0 if ok else 0.0)
                took.add_metric([probe.name], seconds)
        yield up
        yield took
