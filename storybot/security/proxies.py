"""Trusting reverse proxies: the client's address, scheme and host from exactly N of them.

A proxy (nginx) tells the app who called it in ``X-Forwarded-For``,
``X-Forwarded-Proto`` and ``X-Forwarded-Host``. Anyone can send those headers,
so they are believed only for the number of proxies the operator configured
(``STORYBOT_TRUSTED_PROXIES``): werkzeug's ProxyFix then reads that many
values from the right, the ones the proxies themselves appended. With 0 (the
default, Storybot reached directly) they are ignored.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask, count: int) -> None:
    """Wrap the WSGI app so that ``count`` proxies' forwarded headers are believed."""
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
