"""``nginx.conf`` from :class:`~storybot.gateway.values.GatewayValues`, through a Jinja2 template.

The template (``nginx.conf.j2`` beside this module, shipped in the wheel) holds the
configuration; this module works out what is derived from the values: the security
headers (the app's own, from :mod:`storybot.security.headers`, so the UI served by nginx
gets the policy the app would give it), the CORS header lists and the file locations.
"""

from __future__ import annotations

from importlib.resources import files

import jinja2

from storybot.gateway.values import GatewayValues
from storybot.security.cors import ALLOWED_HEADERS, EXPOSED_HEADERS
from storybot.security.headers import APP_POLICY, HSTS, PERMISSIONS_POLICY, render_policy

# Mozilla's "intermediate" TLS 1.2 suites without DHE (which needs a dhparam file);
# TLS 1.3 suites are all forward-secret AEAD and need no list.
CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    )
)

# What the web UI sends across origins (web/src/lib/api-client.ts and EventSource's
# reconnection), with the app's own list: one source for both.
CORS_ALLOWED_HEADERS = list(dict.fromkeys(["Accept", *ALLOWED_HEADERS]))


def _environment() -> jinja2.Environment:
    # Not HTML: nothing to escape; every value was checked by GatewayValues instead.
    return jinja2.Environment(
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def site_policy(values: GatewayValues) -> str:
    """The web UI's Content-Security-Policy: the app's, able to reach the API's origin."""
    connect = "'self'" if values.form == "one-host" else f"'self' {values.api_origin}"
    return render_policy({**APP_POLICY, "connect-src": connect})


def render_nginx(values: GatewayValues) -> str:
    """The complete ``nginx.conf`` (load_module, events and http blocks) for ``values``."""
    template = files("storybot.gateway").joinpath("nginx.conf.j2").read_text(encoding="utf-8")
    run_dir = values.run_dir
    return (
        _environment()
        .from_string(template)
        .render(
            v=values,
            pid_file=f"{run_dir}/nginx.pid" if run_dir else "/run/nginx.pid",
            log_dir=run_dir if run_dir else "/var/log/nginx",
            ciphers=CIPHERS,
            hsts=HSTS,
            csp=site_policy(values),
            permissions=PERMISSIONS_POLICY,
            expose_headers=", ".join(EXPOSED_HEADERS),
            allow_headers=", ".join(CORS_ALLOWED_HEADERS),
        )
    )
