"""Trace ids, JSON logs and Prometheus metrics, installed on an app in one call."""

from __future__ import annotations

from flask import Flask

from storybot.observability.logs import install_access_log
from storybot.observability.metrics import install_metrics
from storybot.observability.tracing import install_tracing


def init_observability(app: Flask) -> None:
    """Give every request a trace id, an access log line and request metrics."""
    # after_request hooks run in reverse order: metrics measure the duration
    # first, then the access line reports it, then the trace header is set.
    install_tracing(app)
    install_access_log(app)
    install_metrics(app)
