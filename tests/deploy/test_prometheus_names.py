"""Every series the shipped Prometheus rules and Grafana dashboard read exists in a real
scrape of Storybot, with the labels they select and group by: rules that name a metric
that is gone, or was renamed, would never fire.

The scrape is of a real ``storybot serve`` that has written one story (the fake engine)
and failed one (an engine whose server is not there), so the series that only appear
once something happened are there too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.prometheus_support import (
    DASHBOARD,
    Scrape,
    dashboard_exprs,
    names_missing,
    recorded_names,
    recording_names_used,
    rule_exprs,
    scrape,
    use_engines,
    used_by,
    write_story,
)
from tests.support import LiveServer


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrape]:
    """/metrics of a server that wrote a story and failed one."""
    server = LiveServer(Path(tmp_path_factory.mktemp("names"))).start()
    try:
        use_engines(server)
        assert write_story(server)["status"] == "done"
        assert write_story(server, engine="gone")["status"] == "failed"
        server.session.get(f"{server.url}/api/no-such-thing", timeout=10)  # a 404
        yield scrape(f"{server.url}/metrics")
    finally:
        server.stop()


def test_every_series_the_rules_read_is_in_the_scrape(scraped: Scrape) -> None:
    used = used_by(rule_exprs())
    assert len(used.names) >= 9  # the rules were read
    assert list(names_missing(used, scraped)) == []


def test_every_series_the_dashboard_reads_is_in_the_scrape(scraped: Scrape) -> None:
    used = used_by(dashboard_exprs())
    assert len(used.names) >= 7
    assert list(names_missing(used, scraped)) == []


def test_the_new_series_count_what_happened(scraped: Scrape) -> None:
    # storybot_engine_up: checked as the scrape asks; the fake engine can write, the
    # server on a closed port cannot.
    assert scraped.value("storybot_engine_up", engine="fake", kind="fake") == 1
    assert scraped.value("storybot_engine_up", engine="gone", kind="openai") == 0
    # How generations ended, the denominator of the failure ratio.
    assert scraped.value("storybot_generations_total", engine="fake", outcome="done") == 1
    assert scraped.value("storybot_generations_total", engine="gone", outcome="failed") == 1
    assert scraped.value("storybot_generation_failures_total", engine="gone") == 1
    # Both stories were taken from the queue (or started at once): two waits.
    assert scraped.value("storybot_generation_queue_wait_seconds_count") == 2
    assert scraped.value("storybot_generation_queue_wait_seconds_bucket", le="+Inf") == 2


def test_every_recorded_name_the_alerts_and_dashboard_read_is_recorded() -> None:
    used = recording_names_used(rule_exprs() + dashboard_exprs())
    assert "job:storybot_http_5xx:ratio_rate5m" in used
    assert used <= recorded_names()
    assert recording_names_used(["rate(job:storybot_gone:rate5m[5m])"]) - recorded_names()


def test_a_stale_name_is_reported() -> None:
    scraped = Scrape.of(
        "# TYPE storybot_http_requests_total counter\n"
        'storybot_http_requests_total{method="GET",route="/",status="200"} 1\n'
    )
    used = used_by(
        [
            'sum by (route) (rate(storybot_http_requests_total{status=~"5.."}[5m]))',
            "rate(storybot_http_requests_renamed_total[5m])",
            'rate(storybot_http_requests_total{engine="x"}[5m])',
            "sum by (worker) (rate(storybot_http_requests_total[5m]))",
            "job:storybot_recorded:rate5m > 1",  # a recording rule's name: not a raw series
        ]
    )
    assert list(names_missing(used, scraped)) == [
        "storybot_http_requests_renamed_total is not in the scrape",
        "storybot_http_requests_total has no label engine",
        "no Storybot series has the label worker that an expression groups by",
    ]


def test_the_dashboard_is_grafana_json_with_a_query_in_every_panel() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "storybot"
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    titles = " ".join(panel["title"] for panel in panels).lower()
    for subject in ("requests", "5xx", "p95", "first text", "tokens", "queue", "workers"):
        assert subject in titles, subject
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            assert target["expr"].strip()
