"""Counting the tokens a story used against its account's day, as the story ends."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storybot.extensions import db
from storybot.models import TokenUsage, utcnow


def usage_day() -> date:
    """The day usage counts towards now (UTC): quotas start again at midnight UTC."""
    return utcnow().date()


def record_usage(user_id: int | None, tokens: int) -> None:
    """Add a generation's tokens to its account's count for today (in the caller's
    write transaction)."""
    if user_id is None or tokens <= 0:
        return
    # One statement, so that two stories ending at once both count.
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(TokenUsage).values(user_id=user_id, day=usage_day(), tokens=tokens)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[TokenUsage.user_id, TokenUsage.day],
            set_={"tokens": TokenUsage.tokens + tokens},
        )
    )
