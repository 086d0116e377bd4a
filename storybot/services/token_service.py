"""API tokens: made for scripts, shown once, kept as their SHA-256, revoked by their owner."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from storybot.database import in_request_write, write_intent
from storybot.errors import NotFound
from storybot.extensions import db
from storybot.models import ApiToken, User, utcnow

PREFIX = "sbt_"
SHOWN_CHARACTERS = 8  # "sbt_" and four more: enough for a person to tell tokens apart
# last_used_at is a day-to-day aid, not an audit log: writing it on every request
# would make every read a write; once a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the token itself, which is never kept."""

    row: ApiToken
    token: str


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id: int, name: str) -> NewToken:
    """Make a token for an account; the caller shows ``token`` once."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id, name=name, token_hash=digest(token), prefix=token[:SHOWN_CHARACTERS]
    )
    db.session.add(row)
    db.session.commit()
    return NewToken(row, token)


def list_tokens(user_id: int) -> list[ApiToken]:
    """An account's tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def revoke_token(user_id: int, token_id: int) -> None:
    """Delete one of the account's tokens; another account's id is a 404."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound("token", token_id)
    db.session.delete(row)
    db.session.commit()


def user_for_token(token: str) -> User | None:
    """The active account a presented token signs in, or None; notes when it was used."""
    if not token.startswith(PREFIX):
        return None
    found = db.session.execute(
        select(ApiToken.id, ApiToken.last_used_at, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(token))
    ).first()
    if found is None or found.User.disabled:
        return None
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        _note_use(found.id, now)
    user: User = found.User
    return user


def _note_use(token_id: int, now: object) -> None:
    update_row = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
    if in_request_write():
        # The request's transaction holds the write lock already: the note is
        # committed with the request's own change.
        db.session.execute(update_row)
        return
    # A reading request: a short write transaction of its own, so that the
    # request's reads never hold SQLite's write lock nor upgrade a read snapshot.
    db.session.commit()
    with write_intent():
        db.session.execute(update_row)
        db.session.commit()
