"""Accounts: the people who sign in, their API tokens and what they spent today.

An account is one family's or one classroom's: it owns its prompts, readers
and stories (``owner_id`` on each), and nobody else sees them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storybot.extensions import db
from storybot.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What an account may do: an admin also manages users, engines and global settings."""

    ADMIN = "admin"
    MEMBER = "member"


class User(db.Model):  # type: ignore[name-defined,misc]
    """An account that signs in with an email and a password (hashed with argon2id)."""

    __tablename__ = "user"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]),
        default=Role.MEMBER,
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of every session's id: raising it ends every session of the account
    # (a password change, a reset, a disabled account).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    daily_token_quota: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    # The account's own story defaults (length, tone, language, engine); a key left
    # out follows the global setting. Validated by schemas.accounts.AccountDefaults.
    defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_admin(self) -> bool:
        """True for an account that manages users, engines and global settings."""
        return self.role is Role.ADMIN

    # What Flask-Login asks of a user object.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """False for a disabled account: it cannot sign in or use its tokens."""
        return not self.disabled

    def get_id(self) -> str:
        """The session's user id: the account and its session epoch, so that raising
        the epoch ends every session signed in before."""
        return f"{self.id}:{self.session_epoch}"


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A token a script sends as ``Authorization: Bearer``; only its SHA-256 is kept.

    Tokens are 256 random bits, so a fast hash is right: nothing is guessed by
    trying, and each request can look its token up by the hash.
    """

    __tablename__ = "api_token"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown so that a person can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenUsage(db.Model):  # type: ignore[name-defined,misc]
    """The language-model tokens an account's stories used on one UTC day."""

    __tablename__ = "token_usage"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tokens: Mapped[int] = mapped_column(Integer, default=0)
