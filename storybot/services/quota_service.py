"""Each account's daily language-model tokens: counted as stories end, limited by an admin."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from storybot.errors import ApiError
from storybot.extensions import db
from storybot.jobs.usage import usage_day
from storybot.models import TokenUsage, User, utcnow


@dataclass(frozen=True)
class Quota:
    """An account's limit for today, what it used, and when the count starts again."""

    daily_tokens: int | None
    used_today: int
    resets_at: datetime

    @property
    def spent(self) -> bool:
        """True when no more stories may start today."""
        return self.daily_tokens is not None and self.used_today >= self.daily_tokens


def _next_midnight() -> datetime:
    return datetime.combine(usage_day() + timedelta(days=1), time(), tzinfo=UTC)


def used_today(user_id: int) -> int:
    """The tokens the account's stories used since the last UTC midnight."""
    query = select(TokenUsage.tokens).where(
        TokenUsage.user_id == user_id, TokenUsage.day == usage_day()
    )
    return db.session.scalar(query) or 0


def quota_of(user: User) -> Quota:
    """The account's quota as ``GET /api/me`` shows it."""
    return Quota(user.daily_token_quota, used_today(user.id), _next_midnight())


def check_quota(user_id: int) -> None:
    """Refuse (429, with ``Retry-After``) a new story once today's tokens are spent."""
    user = db.session.get(User, user_id)
    if user is None or user.daily_token_quota is None:
        return
    quota = quota_of(user)
    if not quota.spent:
        return
    wait = max(1, math.ceil((quota.resets_at - utcnow()).total_seconds()))
    raise ApiError(
        429,
        "quota_spent",
        f"Today's {quota.daily_tokens} tokens are used up ({quota.used_today}); new stories "
        "can start again after midnight UTC, or an admin can raise the limit.",
        {"daily_tokens": quota.daily_tokens, "used_today": quota.used_today},
        headers={"Retry-After": str(wait)},
    )
