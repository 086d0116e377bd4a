"""Security headers on every answer: the API's, the web app's, errors, ``/metrics``, streams.

Our own ``after_request`` hook rather than flask-talisman (Apache-2.0, last
release 2023): talisman sends HSTS whenever a request carries
``X-Forwarded-Proto: https``, trusted or not, which defeats the proxy count of
:mod:`storybot.security.proxies`; it redirects to HTTPS and forces a Secure
session cookie unless told not to; and its per-view options cannot reach the
API docs pages that flask-openapi3 registers. What we need is a fixed set of
headers plus one rule for the docs pages, a few lines here.

The web app runs under ``script-src 'self'``: no inline script, no eval.
Mantine writes ``<style>`` elements and ``style`` attributes at run time, so
styles allow ``'unsafe-inline'`` (a style cannot run code).
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

# The web app and the API. Images may be data: URLs inside a style sheet (the
# API docs page's icons); nothing else is needed from anywhere but Storybot.
APP_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Browser features Storybot never uses; reading aloud (speechSynthesis) needs none.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# Browsers remember HTTPS for a year, for subdomains too (ASVS 5.0 level 2).
HSTS = "max-age=31536000; includeSubDomains"

# flask-openapi3's docs pages start their viewer with an inline script.
DOCS_PREFIX = "/api/docs"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)


def render_policy(policy: dict[str, str]) -> str:
    """A CSP header value from its directives."""
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


def script_hashes(html: bytes) -> list[str]:
    """The CSP ``'sha256-...'`` sources of the inline scripts of an HTML page."""
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def docs_policy(html: bytes) -> str:
    """The app's policy with the docs page's own inline scripts allowed, by hash only."""
    hashes = script_hashes(html)
    return render_policy({**APP_POLICY, "script-src": " ".join(["'self'", *hashes])})


def install_security_headers(app: Flask) -> None:
    """Add the security headers to every response the app sends."""
    app_policy = render_policy(APP_POLICY)
    fixed = (
        ("Content-Security-Policy", app_policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        for name, value in fixed:
            headers[name] = value
        if request.is_secure:  # behind a trusted proxy, ProxyFix makes this true for https
            headers["Strict-Transport-Security"] = HSTS
        if (
            request.path.startswith(DOCS_PREFIX)
            and response.mimetype == "text/html"
            and not response.is_streamed
        ):
            headers["Content-Security-Policy"] = docs_policy(response.get_data())
        if request.path.startswith("/api/") and "Cache-Control" not in headers:
            # Answers hold a family's data: no copy in the browser's or a proxy's cache.
            headers["Cache-Control"] = "no-store"
        return response
