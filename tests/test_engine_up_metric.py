"""``storybot_engine_up``: each configured engine's health check, run as a scrape asks."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, generate_latest

from storybot.observability.engine_up import EngineProbe, EngineUpCollector
from tests.deploy.prometheus_support import Scrape


def _scrape(collector: EngineUpCollector) -> Scrape:
    registry = CollectorRegistry()
    registry.register(collector)
    return Scrape.of(generate_latest(registry).decode())


def _failing() -> bool:
    raise RuntimeError("the check itself broke")


def test_each_engine_is_up_or_down_by_its_check_and_a_broken_check_is_down() -> None:
    scraped = _scrape(
        EngineUpCollector(
            lambda: [
                EngineProbe("local", "local", lambda: True),
                EngineProbe("remote", "openai", lambda: False),
                EngineProbe("odd", "openai", _failing),
            ]
        )
    )
    assert scraped.value("storybot_engine_up", engine="local", kind="local") == 1
    assert scraped.value("storybot_engine_up", engine="remote", kind="openai") == 0
    assert scraped.value("storybot_engine_up", engine="odd", kind="openai") == 0
    assert scraped.labels["storybot_engine_health_check_seconds"] == {"engine"}


def test_the_checks_run_side_by_side() -> None:
    def slow() -> bool:
        time.sleep(0.3)
        return True

    probes = [EngineProbe(f"e{n}", "openai", slow) for n in range(4)]
    started = time.perf_counter()
    scraped = _scrape(EngineUpCollector(lambda: probes))
    assert time.perf_counter() - started < 1.0  # not 4 x 0.3 s
    assert scraped.value("storybot_engine_up") == 4


def test_no_series_when_the_engines_cannot_be_read() -> None:
    def unreadable() -> list[EngineProbe]:
        raise RuntimeError("database is down")

    scraped = _scrape(EngineUpCollector(unreadable))
    assert "storybot_engine_up" not in scraped.labels
