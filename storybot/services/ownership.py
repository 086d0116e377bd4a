"""Whose data a piece of work sees: every query of prompts, readers and stories is scoped here.

The API's sign-in check (:mod:`storybot.api.access`) names the acting account
for the request; the command line names it with :func:`acting_as`. A service
asks :func:`owner_id` and filters with :func:`owned`, or fetches one row with
:func:`get_owned`, which answers another account's id exactly as a missing one
(404), so that nobody learns what exists elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from flask import g
from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from storybot.errors import NotFound
from storybot.extensions import db


class Owned(Protocol):
    """A model whose rows belong to an account."""

    id: int
    owner_id: int | None


T = TypeVar("T", bound=Owned)


class NoAccount(RuntimeError):
    """Owned data was asked for outside any account's request or command."""


def owner_id() -> int:
    """The id of the account this request or command acts for."""
    value: int | None = g.get("owner_id")
    if value is None:
        raise NoAccount(
            "no account is acting here: a request must be signed in, a command must use "
            "acting_as(user_id)"
        )
    return value


def set_owner(user_id: int) -> None:
    """Name the account the rest of this app context acts for."""
    g.owner_id = user_id


@contextmanager
def acting_as(user_id: int) -> Iterator[None]:
    """Act for an account inside the block (for commands and jobs run outside a request)."""
    before = g.get("owner_id")
    g.owner_id = user_id
    try:
        yield
    finally:
        g.owner_id = before


def owned(model: type[Owned]) -> ColumnElement[bool]:
    """A WHERE clause: the rows of ``model`` that belong to the acting account."""
    column: InstrumentedAttribute[int | None] = model.owner_id  # type: ignore[assignment]
    return column == owner_id()


def get_owned(model: type[T], ident: int, what: str) -> T:
    """The acting account's row of ``model`` with this id, or :class:`NotFound` (404)
    for a missing id and for another account's alike."""
    row = db.session.get(model, ident)
    if row is None or row.owner_id != owner_id():
        raise NotFound(what, ident)
    return row
