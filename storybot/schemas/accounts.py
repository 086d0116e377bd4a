"""Request and response models of accounts: sign-in, the signed-in account, tokens, users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storybot.schemas.common import NOT_BLANK, SPACES, WHOLE_NUMBER, DbId, Patch, Strict
from storybot.schemas.tones import Tone

# Emails are checked for shape only (one @, something either side): whether mail
# arrives is not Storybot's business, and it sends none.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=254,
        # Spaces spelled out (common.SPACES): JSON Schema's \s is not Python's. Spaces
        # around it are stripped before the pattern, so the document allows them there.
        pattern=f"^[{SPACES}]*[^@{SPACES}]+@[^@{SPACES}]+[{SPACES}]*$",
    ),
]
# OWASP ASVS 6.2: at least 8 characters, at least 64 allowed, any character.
Password = Annotated[str, Field(min_length=8, max_length=128)]
# Signing in takes what was set, whatever its length; only its size is bounded.
GivenPassword = Annotated[str, Field(min_length=1, max_length=128)]
TokenName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NOT_BLANK)
]
RoleName = Literal["admin", "member"]


class Credentials(Strict):
    """An email and a password, to sign in or to create the first admin."""

    email: Email = Field(examples=["parent@example.com"])
    password: GivenPassword


class NewAdmin(Strict):
    """The first admin, created on a Storybot that has no account yet."""

    email: Email = Field(examples=["parent@example.com"])
    password: Password


class SetupStatus(BaseModel):
    """Whether the first admin must still be created."""

    needed: bool


class QuotaOut(BaseModel):
    """The account's daily token limit (null: none), today's use and the next reset."""

    daily_tokens: int | None
    used_today: int
    resets_at: datetime


class MeOut(BaseModel):
    """The signed-in account."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: RoleName
    created_at: datetime
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token with every change made with the session "
        "cookie; null when signed in with an API token."
    )
    quota: QuotaOut


class AccountDefaults(Patch):
    """An account's own story defaults; null (or left out) follows the global setting.

    As a change (``PATCH /api/me/defaults``), a key left out stays as it is and
    null clears it.
    """

    nullable_fields = frozenset(
        {"default_length", "default_tone", "default_language", "default_engine"}
    )

    default_length: Literal["short", "medium", "long"] | None = None
    default_tone: Tone | None = None
    default_language: Literal["en", "ja"] | None = None
    default_engine: str | None = Field(default=None, min_length=1, max_length=64)


class PasswordChange(Strict):
    """The account's own password, changed; its other sessions end."""

    current_password: GivenPassword
    new_password: Password


class AccountDeletion(Strict):
    """Deleting one's own account, confirmed with its password."""

    password: GivenPassword


class TokenCreate(Strict):
    """A new API token."""

    name: TokenName = Field(examples=["backup script"])


class TokenOut(BaseModel):
    """An API token as listed: never the token itself."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    """A token just made: ``token`` is shown this once and never again."""

    token: str


class TokenList(BaseModel):
    """An account's tokens, newest first."""

    items: list[TokenOut]


class TokenPath(BaseModel):
    """A token's id in the path."""

    token_id: DbId


class UserCreate(Strict):
    """An account an admin creates."""

    email: Email
    password: Password
    role: RoleName = "member"


class UserUpdate(Patch):
    """An admin's change to an account; ``daily_token_quota: null`` removes the limit."""

    nullable_fields = frozenset({"daily_token_quota"})

    role: RoleName | None = None
    disabled: bool | None = None
    daily_token_quota: Annotated[int, Field(ge=0, le=1_000_000_000), WHOLE_NUMBER] | None = None
    password: Password | None = Field(default=None, description="A new password (a reset).")


class UserOut(BaseModel):
    """An account as an admin sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: RoleName
    disabled: bool
    daily_token_quota: int | None
    used_today: int
    created_at: datetime
    last_login_at: datetime | None


class UserList(BaseModel):
    """Every account, oldest first."""

    items: list[UserOut]


class UserPath(BaseModel):
    """An account's id in the path."""

    user_id: DbId
