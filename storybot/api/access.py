"""Who is asking: every API request is signed in by the session cookie or an API token.

The browser signs in with a password and gets a session cookie (Flask's signed
cookie, through Flask-Login); a script sends ``Authorization: Bearer <token>``.
A change sent with the cookie must also carry the CSRF token in
``X-CSRF-Token``, which a page of another site cannot read; a token-signed
request needs none, as no browser sends a bearer token by itself. The few
public endpoints are named in :data:`PUBLIC_ENDPOINTS`; everything else under
``/api`` answers 401 to a stranger, and the admin-only parts 403 to a member.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from storybot.errors import ApiError
from storybot.extensions import db, login_manager
from storybot.models import User, utcnow
from storybot.services import token_service
from storybot.services.ownership import set_owner

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
# A session lasts two weeks from its last use, and never more than thirty days
# from the sign-in that began it (OWASP ASVS 7.3).
IDLE_LIFETIME = timedelta(days=14)
ABSOLUTE_LIFETIME = timedelta(days=30)

# Endpoints anyone may call: liveness, the API document, signing in and the
# first-run setup. The isolation walk in the tests checks every other one.
PUBLIC_ENDPOINTS = frozenset(
    {
        "health.health",
        "health.ready",
        "document.openapi_document",
        "auth.setup_status",
        "auth.setup",
        "auth.login",
        "auth.logout",
    }
)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure whenever the request came over TLS
    (directly, or through a trusted proxy that says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The request's session; a new empty one at once when it sent no session cookie.

        Flask builds the cookie's signing serializer before it looks for the
        cookie, on every request; a script that signs in with a token sends none.
        """
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_access(app: Flask) -> None:
    """Install sign-in on the app: the session cookie, token sign-in and the checks."""
    app.config.update(
        SESSION_COOKIE_NAME="storybot_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=IDLE_LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session it belongs to
    )
    app.session_interface = SessionCookies()
    login_manager.init_app(app)
    # The session id already changes with every password change (User.get_id);
    # Flask-Login's own protection would hash the address and agent per request.
    login_manager.session_protection = None
    login_manager.user_loader(_user_from_session)
    login_manager.request_loader(_user_from_token)
    app.before_request(_require_sign_in)


def _user_from_session(session_id: str) -> User | None:
    ident, _, epoch = session_id.partition(":")
    if not ident.isdigit() or not epoch.isdigit():
        return None
    signed_in_at = session.get("signed_in_at")
    if not isinstance(signed_in_at, int | float):
        return None
    if utcnow().timestamp() - signed_in_at > ABSOLUTE_LIFETIME.total_seconds():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.disabled or user.session_epoch != int(epoch):
        return None
    g.signed_in_by = "session"
    return user


def _user_from_token(req: object) -> User | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    user = token_service.user_for_token(value.strip())
    if user is not None:
        g.signed_in_by = "token"
    return user


def _is_public() -> bool:
    endpoint = request.endpoint
    return (
        not request.path.startswith("/api/")
        # No route: the 404 or 405 that follows tells nothing about anyone's data.
        or endpoint is None
        or endpoint in PUBLIC_ENDPOINTS
        or request.path.startswith("/api/docs")
        or request.method == "OPTIONS"
    )


def _sign_in_by_token_alone() -> None:
    """Sign in a request that sends a bearer token and no cookie, without Flask-Login's round.

    For such a request Flask-Login would find no user in the (empty) session
    and no remember cookie, and end at the token loader; its round also hashes
    the address and agent for a session protection that is off. This does
    only the last step, and stores the account where Flask-Login keeps it, so
    ``current_user`` is the same either way. Requests with a cookie take
    Flask-Login's way, which looks at the session first.
    """
    if "_login_user" in g or "Cookie" in request.headers:
        return
    if not request.headers.get("Authorization", "").startswith(("Bearer ", "bearer ")):
        return
    g._login_user = _user_from_token(request) or login_manager.anonymous_user()


def _require_sign_in() -> None:
    """A ``before_request`` hook: refuse strangers and cookie changes without the CSRF token."""
    if _is_public():
        return
    _sign_in_by_token_alone()
    user = signed_in_user()
    if user is None:
        raise ApiError(
            401,
            "unauthorized",
            "Sign in first, or send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="storybot"'},
        )
    if g.get("signed_in_by") == "session" and request.method in UNSAFE_METHODS:
        _check_csrf(request.headers.get(CSRF_HEADER))
    set_owner(user.id)


def _check_csrf(token: str | None) -> None:
    """Refuse a cookie change whose CSRF token the current key, or a key being rotated
    out (``SECRET_KEY_FALLBACKS``), did not sign for this session."""
    fallbacks: list[str] = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    try:
        validate_csrf(token)
    except ValidationError as exc:
        for key in fallbacks:
            try:
                validate_csrf(token, secret_key=key)
            except ValidationError:
                continue
            return
        raise ApiError(
            403,
            "csrf_failed",
            f"This change needs the page's {CSRF_HEADER} header ({exc}); reload the page "
            "and try again.",
        ) from exc


def signed_in_user() -> User | None:
    """The account this request is signed in as, or None."""
    if not current_user.is_authenticated:
        return None
    return cast(User, current_user._get_current_object())


def current_account() -> User:
    """The signed-in account (routes behind the sign-in check always have one)."""
    user = signed_in_user()
    if user is None:  # only a route listed as public could get here
        raise ApiError(401, "unauthorized", "Sign in first.")
    return user


def require_admin() -> None:
    """A blueprint ``before_request`` hook: the whole blueprint is for admins (403)."""
    user = signed_in_user()
    if user is not None and not user.is_admin:
        raise ApiError(403, "forbidden", "Only an admin may do this.")


def require_admin_for_changes() -> None:
    """A blueprint ``before_request`` hook: anyone signed in reads, only admins change."""
    if request.method in UNSAFE_METHODS:
        require_admin()


def start_session(user: User) -> str:
    """Sign the browser in as ``user`` with a fresh session; returns its CSRF token."""
    session.clear()  # nothing of the session before sign-in survives it
    session.permanent = True
    login_user(user)
    session["signed_in_at"] = int(utcnow().timestamp())
    g.signed_in_by = "session"
    return str(generate_csrf())


def end_session() -> None:
    """Sign the browser out: the session cookie is cleared."""
    logout_user()
    session.clear()


def csrf_token() -> str | None:
    """The CSRF token of a browser session (None for a token-signed request)."""
    if g.get("signed_in_by") != "session":
        return None
    return str(generate_csrf())
