"""Limits on how fast anyone may ask (Flask-Limiter): a flood gets 429s, not a slower server.

Three kinds, all counted in Redis when ``STORYBOT_REDIS_URL`` is set (so that
every process shares them) and in memory otherwise:

- every API request, per signed-in account, or per address for strangers
  (``STORYBOT_RATE_LIMIT``);
- sign-in attempts, per address and per email whether or not an account has
  it, so that the answer never tells which emails exist;
- new stories, per account (``STORYBOT_STORY_RATE_LIMIT``).

A refusal is the JSON envelope with status 429, code ``too_many_requests`` and
``Retry-After``.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from storybot.config import Settings
from storybot.errors import ApiError, error_response
from storybot.services.components import components

EXEMPT_PATHS = ("/api/health", "/api/ready")


def _requester() -> str:
    owner = g.get("owner_id")
    return f"account:{owner}" if owner is not None else f"address:{request.remote_addr}"


def _exempt() -> bool:
    return not request.path.startswith("/api/") or request.path in EXEMPT_PATHS


def init_throttle(app: Flask, settings: Settings) -> None:
    """Install the limits on the app; call it after the sign-in check, which names the
    account that the request limit counts for."""
    limiter = Limiter(
        _requester,
        app=app,
        # Its own headers would also rewrite the Retry-After of Storybot's other 429s
        # (a full queue, a spent quota); the refusals here set their own.
        headers_enabled=False,
        storage_uri=settings.redis_url or "memory://",
        strategy="moving-window",
        key_prefix="storybot",
    )
    components(app).limiter = limiter
    request_limits = parse_many(settings.rate_limit)
    # The flood limit counts in fixed windows: one counter per account and window,
    # where a moving window keeps a time for every request. A burst across two
    # windows may reach twice the limit, which a flood limit can bear; sign-in
    # attempts and stories, rare and worth counting exactly, keep the moving window.
    per_request = FixedWindowRateLimiter(limiter.storage)

    # Every API request is counted here rather than as Flask-Limiter's application
    # limit, whose check works out on every request which limits, scopes and
    # exemptions apply (about 40 us of a 1 ms request) for the one limit there is;
    # its own check then has nothing to do, and is told so at once.
    limiter.request_filter(lambda: True)

    @app.before_request
    def _count_request() -> None:
        # As Flask-Limiter's check: a request without a route (404, 405) is not counted.
        if request.endpoint is None or _exempt():
            return
        _hit(per_request, "request", request_limits, "Too many requests", _requester())

    @app.errorhandler(RateLimitExceeded)
    def _refused(_exc: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        return error_response(
            429,
            "too_many_requests",
            f"Too many requests; wait {wait} seconds, then try again.",
            headers={"Retry-After": str(wait)},
        )


def _hit(
    counter: RateLimiter, action: str, limits: list[RateLimitItem], what: str, *keys: str
) -> None:
    """Count one ``action`` for ``keys``; refuse it (429) once over one of ``limits``."""
    for item in limits:
        if counter.hit(item, action, *keys):
            continue
        reset = counter.get_window_stats(item, action, *keys).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise ApiError(
            429,
            "too_many_requests",
            f"{what}; wait {wait} seconds, then try again.",
            headers={"Retry-After": str(wait)},
        )


def throttle(action: str, limit: str, *keys: str) -> None:
    """Count one ``action`` for ``keys``; refuse it (429) once over ``limit``."""
    limiter = components().limiter
    assert limiter is not None, "init_throttle installs the limiter with the API"
    _hit(limiter.limiter, action, parse_many(limit), "Too many tries", *keys)


def throttle_sign_in(email: str) -> None:
    """Count a sign-in attempt for the address and for the email, existing or not."""
    settings: Settings = components().settings
    throttle("sign-in-address", settings.sign_in_rate_limit, str(request.remote_addr))
    throttle("sign-in-email", settings.sign_in_email_rate_limit, email.strip().lower())


def throttle_new_story(owner_id: int) -> None:
    """Count a story asked for by an account (new, regenerated or continued)."""
    settings: Settings = components().settings
    throttle("new-story", settings.story_rate_limit, str(owner_id))
