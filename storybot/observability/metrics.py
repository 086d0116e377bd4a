"""Prometheus metrics, defined once per process and served at ``/metrics``.

Requests are labelled by route rule (``/api/prompts/<id:prompt_id>``), never
by raw path, so that the number of series stays bounded. Under
``PROMETHEUS_MULTIPROC_DIR`` (``storybot serve`` sets it: its gunicorn worker
may be replaced) the registry is rebuilt from the shared files at each
scrape, so a dead process's counts stay in the totals; the process metrics
(memory, CPU) are then those of the process that answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "storybot_http_requests_total",
    "HTTP requests answered, by method, route rule and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "storybot_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response object is ready), by route rule.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

UNMATCHED_ROUTE = "<unmatched>"
SCRAPE_COLLECTORS = "storybot.scrape_collectors"  # app.extensions key: add_scrape_collector


def route_label() -> str:
    """The route rule that matched the current request, or ``<unmatched>``."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED_ROUTE


def render_metrics(at_scrape: Sequence[Collector] = ()) -> tuple[bytes, str]:
    """The exposition text of this process, or of all processes in multiprocess mode,
    followed by what the ``at_scrape`` collectors find now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            registry.register(collector)  # this process's own: not in the files
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if at_scrape:
        now = CollectorRegistry()
        for each in at_scrape:
            now.register(each)
        body += generate_latest(now)
    return body, CONTENT_TYPE_LATEST


def add_scrape_collector(app: Flask, collector: Collector) -> None:
    """Have ``app``'s ``/metrics`` ask ``collector`` at each scrape, in the request's app
    context (it may read the database); its families are this process's alone, never
    kept in the multiprocess files."""
    app.extensions.setdefault(SCRAPE_COLLECTORS, []).append(collector)


def install_metrics(app: Flask) -> None:
    """Count and time every request, and serve ``/metrics``."""

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None and request.endpoint != "metrics":
            route = route_label()
            g.request_seconds = time.perf_counter() - started
            REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            LATENCY.labels(request.method, route).observe(g.request_seconds)
        return response

    def metrics() -> Response:
        body, content_type = render_metrics(app.extensions.get(SCRAPE_COLLECTORS, ()))
        return Response(body, content_type=content_type)

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
