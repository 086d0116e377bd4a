"""Accounts: the first admin, users, passwords (argon2id), roles and disabled accounts."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select, update

from storybot.errors import ApiError, InvalidInput, NotFound, invalid_field
from storybot.extensions import db
from storybot.models import Profile, Prompt, Role, Story, User, utcnow
from storybot.services import family_data, prompt_service
from storybot.services.components import components

# RFC 9106's second recommended setting (64 MiB, 3 passes); tests use argon2-cffi's
# cheapest parameters, or every signed-in test would spend a tenth of a second on it.
PRODUCTION_HASH = profiles.RFC_9106_LOW_MEMORY
TEST_HASH = profiles.CHEAPEST


def hasher() -> PasswordHasher:
    """The app's password hasher (argon2id)."""
    found: PasswordHasher | None = components().hasher
    if found is None:
        params = TEST_HASH if current_app.testing else PRODUCTION_HASH
        found = PasswordHasher.from_parameters(params)
        components().hasher = found
    return found


def normal_email(email: str) -> str:
    """An email as it is stored and compared: trimmed and lowercased."""
    return email.strip().lower()


def setup_needed() -> bool:
    """True while no account exists: the first visitor creates the first admin."""
    return db.session.scalar(select(User.id).limit(1)) is None


def _find(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normal_email(email)))


def create_user(email: str, password: str, role: Role = Role.MEMBER) -> User:
    """A new account with the example prompts; 409 when the email is taken."""
    if _find(email) is not None:
        raise ApiError(409, "email_taken", "An account with this email exists already.")
    user = User(email=normal_email(email), password_hash=hasher().hash(password), role=role)
    db.session.add(user)
    db.session.flush()
    prompt_service.add_examples(user.id)
    db.session.commit()
    return user


def create_first_admin(email: str, password: str) -> User:
    """The first account, an admin; refused (409) once any account exists.

    Data kept from before accounts existed becomes this admin's.
    """
    if not setup_needed():
        raise ApiError(
            409,
            "setup_done",
            "Storybot is set up already: sign in, or ask an admin for an account.",
        )
    user = User(
        email=normal_email(email),
        password_hash=hasher().hash(password),
        role=Role.ADMIN,
        last_login_at=utcnow(),  # the setup signs the browser in
    )
    db.session.add(user)
    db.session.flush()
    for model in (Prompt, Profile, Story):
        db.session.execute(update(model).where(model.owner_id.is_(None)).values(owner_id=user.id))
    prompt_service.add_examples(user.id)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account these credentials sign in, or None, taking as long either way.

    An unknown email is checked against a throwaway hash, so that the time an
    answer takes does not tell which emails have accounts.
    """
    user = _find(email)
    try:
        if user is None:
            hasher().verify(_decoy_hash(), password)
            return None
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user.disabled:
        return None
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _decoy_hash() -> str:
    found: str | None = components().decoy_hash
    if found is None:
        found = hasher().hash("a password nobody has")
        components().decoy_hash = found
    return found


def _end_sessions(user: User) -> None:
    user.session_epoch += 1


def change_password(user: User, current: str, new: str) -> None:
    """Change the account's own password; every other session of it ends."""
    try:
        hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise InvalidInput(
            "The current password is not right.",
            [invalid_field("current_password", "wrong_password")],
        ) from exc
    user.password_hash = hasher().hash(new)
    _end_sessions(user)
    db.session.commit()


def list_users() -> list[User]:
    """Every account, oldest first (for admins)."""
    return list(db.session.scalars(select(User).order_by(User.id)))


def get_user(user_id: int) -> User:
    """The account with this id, or 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def _active_admins() -> int:
    query = select(func.count()).where(User.role == Role.ADMIN, User.disabled.is_(False))
    return db.session.scalar(query) or 0


def _keeps_an_admin(user: User, *, role: Role, disabled: bool) -> None:
    """Refuse (409) a change that would leave no active admin."""
    was_admin = user.role is Role.ADMIN and not user.disabled
    stays_admin = role is Role.ADMIN and not disabled
    if was_admin and not stays_admin and _active_admins() <= 1:
        raise ApiError(
            409,
            "last_admin",
            "This is the only active admin: make another account an admin first.",
        )


def update_user(
    user_id: int,
    *,
    role: Role | None = None,
    disabled: bool | None = None,
    quota: int | None = None,
    set_quota: bool = False,
    password: str | None = None,
) -> User:
    """An admin's change to an account: role, disabled, daily quota, a new password.

    Disabling an account or resetting its password ends its sessions; a
    disabled account's tokens stop working at once.
    """
    user = get_user(user_id)
    new_role = role if role is not None else user.role
    new_disabled = disabled if disabled is not None else user.disabled
    _keeps_an_admin(user, role=new_role, disabled=new_disabled)
    if new_disabled and not user.disabled:
        _end_sessions(user)
    user.role = new_role
    user.disabled = new_disabled
    if set_quota:
        user.daily_token_quota = quota
    if password is not None:
        user.password_hash = hasher().hash(password)
        _end_sessions(user)
    db.session.commit()
    return user


def delete_user(user_id: int) -> None:
    """Delete an account with everything it owns (prompts, readers, stories, tokens);
    its stories being written are stopped."""
    user = get_user(user_id)
    _keeps_an_admin(user, role=Role.MEMBER, disabled=True)
    family_data.delete_owned_data(user.id, delete_account=True)
