"""``/api/auth``: the first-run setup, signing in and out."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import end_session, start_session
from storybot.api.contract import errors
from storybot.api.me import me_view
from storybot.api.throttle import throttle_sign_in
from storybot.errors import ApiError
from storybot.schemas.accounts import Credentials, MeOut, NewAdmin, SetupStatus
from storybot.services import account_service

bp = APIBlueprint("auth", __name__, url_prefix="/api/auth", abp_tags=[Tag(name="auth")])


@bp.get("/setup", responses={200: SetupStatus})
def setup_status() -> dict[str, object]:
    """Whether Storybot still needs its first admin (true on a new install)."""
    return SetupStatus(needed=account_service.setup_needed()).model_dump()


@bp.post("/setup", responses={201: MeOut, **errors(409)})
def setup(body: NewAdmin) -> tuple[dict[str, object], int]:
    """Create the first admin and sign the browser in; refused once any account exists."""
    throttle_sign_in(body.email)
    user = account_service.create_first_admin(body.email, body.password)
    csrf = start_session(user)
    return me_view(user, csrf), 201


@bp.post("/login", responses={200: MeOut, **errors(401, 429)})
def login(body: Credentials) -> dict[str, object]:
    """Sign in with an email and a password; the answer is the same for any wrong pair."""
    throttle_sign_in(body.email)
    user = account_service.authenticate(body.email, body.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", "The email or the password is not right.")
    csrf = start_session(user)
    return me_view(user, csrf)


@bp.post("/logout", responses={204: None})
def logout() -> tuple[str, int]:
    """Sign the browser out (harmless when it is not signed in)."""
    end_session()
    return "", 204
