"""``/api/me``: the signed-in account, its password, its own defaults and its deletion."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import csrf_token, current_account, end_session, start_session
from storybot.api.contract import errors
from storybot.errors import InvalidInput, invalid_field
from storybot.models import User
from storybot.schemas.accounts import (
    AccountDefaults,
    AccountDeletion,
    MeOut,
    PasswordChange,
    QuotaOut,
)
from storybot.services import account_service, quota_service, settings_service

bp = APIBlueprint("me", __name__, url_prefix="/api/me", abp_tags=[Tag(name="me")])


def me_view(user: User, csrf: str | None) -> dict[str, object]:
    """The ``Me`` answer for an account, with the session's CSRF token."""
    quota = quota_service.quota_of(user)
    return MeOut(
        id=user.id,
        email=user.email,
        role=user.role.value,
        created_at=user.created_at,
        csrf_token=csrf,
        quota=QuotaOut(
            daily_tokens=quota.daily_tokens, used_today=quota.used_today, resets_at=quota.resets_at
        ),
    ).model_dump(mode="json")


@bp.get("", responses={200: MeOut})
def get_me() -> dict[str, object]:
    """Who is signed in, their role, today's token use and the CSRF token."""
    return me_view(current_account(), csrf_token())


@bp.post("/password", responses={204: None})
def change_password(body: PasswordChange) -> tuple[str, int]:
    """Change the account's password; its other sessions end, this one goes on."""
    user = current_account()
    account_service.change_password(user, body.current_password, body.new_password)
    if csrf_token() is not None:
        start_session(user)  # the session id carries the new epoch
    return "", 204


@bp.delete("", responses={204: None, **errors(409)})
def delete_me(body: AccountDeletion) -> tuple[str, int]:
    """Delete the account and everything it owns, confirmed with its password."""
    user = current_account()
    if account_service.authenticate(user.email, body.password) is None:
        raise InvalidInput(
            "The password is not right.", [invalid_field("password", "wrong_password")]
        )
    account_service.delete_user(user.id)
    end_session()
    return "", 204


@bp.get("/defaults", responses={200: AccountDefaults})
def get_defaults() -> dict[str, object]:
    """The account's own story defaults; null follows the global setting."""
    return settings_service.account_defaults(current_account().id).model_dump(mode="json")


@bp.patch("/defaults", responses={200: AccountDefaults})
def update_defaults(body: AccountDefaults) -> dict[str, object]:
    """Change the account's own defaults (null: follow the global setting again)."""
    changed = settings_service.update_account_defaults(current_account().id, body)
    return changed.model_dump(mode="json")
