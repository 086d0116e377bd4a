"""``/api/users``: accounts, managed by admins."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import require_admin
from storybot.api.contract import errors
from storybot.models import Role, User
from storybot.schemas.accounts import UserCreate, UserList, UserOut, UserPath, UserUpdate
from storybot.services import account_service, quota_service

bp = APIBlueprint("users", __name__, url_prefix="/api/users", abp_tags=[Tag(name="users")])
bp.before_request(require_admin)


def _view(user: User) -> dict[str, object]:
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role.value,
        disabled=user.disabled,
        daily_token_quota=user.daily_token_quota,
        used_today=quota_service.used_today(user.id),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    ).model_dump(mode="json")


@bp.get("", responses={200: UserList})
def list_users() -> dict[str, object]:
    """Every account, oldest first, with today's token use."""
    return {"items": [_view(u) for u in account_service.list_users()]}


@bp.post("", responses={201: UserOut, **errors(409)})
def create_user(body: UserCreate) -> tuple[dict[str, object], int]:
    """Create an account (with the example prompts); 409 when the email is taken."""
    user = account_service.create_user(body.email, body.password, Role(body.role))
    return _view(user), 201


@bp.get("/<id:user_id>", responses={200: UserOut})
def get_user(path: UserPath) -> dict[str, object]:
    """One account."""
    return _view(account_service.get_user(path.user_id))


@bp.patch("/<id:user_id>", responses={200: UserOut, **errors(409)})
def update_user(path: UserPath, body: UserUpdate) -> dict[str, object]:
    """Change an account's role, disable or enable it, set its quota, reset its password."""
    given = body.model_fields_set
    user = account_service.update_user(
        path.user_id,
        role=Role(body.role) if body.role else None,
        disabled=body.disabled,
        quota=body.daily_token_quota,
        set_quota="daily_token_quota" in given,
        password=body.password,
    )
    return _view(user)


@bp.delete("/<id:user_id>", responses={204: None, **errors(409)})
def delete_user(path: UserPath) -> tuple[str, int]:
    """Delete an account with everything it owns."""
    account_service.delete_user(path.user_id)
    return "", 204
