"""Opaque cursors for newest-first pages: the (created_at, id) of the last item seen."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from storybot.errors import InvalidInput, invalid_field
from storybot.schemas.common import MAX_DB_ID


@dataclass(frozen=True)
class Cursor:
    """The position after which the next page starts."""

    created_at: datetime
    id: int


def encode_cursor(created_at: datetime, ident: int) -> str:
    """A cursor for the item with this creation time and id."""
    raw = json.dumps([created_at.isoformat(), ident]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    """Read a cursor this server gave out; 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, ident = json.loads(raw)
        position = Cursor(datetime.fromisoformat(created), int(ident))
        if not 1 <= position.id <= MAX_DB_ID:
            raise ValueError("not an id")  # a made-up cursor, beyond the id column
        return position
    except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
        raise InvalidInput(
            "The cursor is not one this server gave out; start again without it.",
            [invalid_field("cursor", "invalid_cursor")],
        ) from exc
