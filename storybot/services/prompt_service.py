"""The prompt library: create, find, change, delete, export and import prompts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from storybot.errors import InvalidInput
from storybot.extensions import db
from storybot.models import Prompt, utcnow
from storybot.schemas.prompts import (
    PromptCreate,
    PromptExportItem,
    PromptLibrary,
    PromptListQuery,
    PromptUpdate,
)
from storybot.services.ownership import get_owned, owned, owner_id
from storybot.services.pagination import decode_cursor, encode_cursor
from storybot.services.templates import check_template

EXAMPLES_FILE = Path(__file__).resolve().parent.parent / "data" / "example_prompts.json"


@dataclass(frozen=True)
class Page:
    """A page of prompts and the cursor of the next one."""

    items: list[Prompt]
    total: int
    next_cursor: str | None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(query: PromptListQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [owned(Prompt)]
    if query.q and query.q.strip():
        # A substring match: it finds Japanese words, which have no spaces to
        # split on, as readily as English ones. The library is small enough.
        pattern = _like_pattern(query.q.strip().lower())
        filters.append(
            or_(
                func.lower(Prompt.content).like(pattern, escape="\\"),
                func.lower(Prompt.title).like(pattern, escape="\\"),
            )
        )
    if query.tag:
        # Tags are a JSON list; matching the quoted tag text works on both databases.
        tag_json = json.dumps(query.tag, ensure_ascii=False)
        filters.append(func.cast(Prompt.tags, db.String).like(_like_pattern(tag_json), escape="\\"))
    return filters


def list_prompts(query: PromptListQuery) -> Page:
    """A page of prompts, newest first, optionally searched and filtered by tag."""
    filters = _filters(query)
    total = db.session.scalar(select(func.count()).select_from(Prompt).where(*filters)) or 0
    stmt = select(Prompt).where(*filters)
    if query.cursor:
        position = decode_cursor(query.cursor)
        stmt = stmt.where(
            or_(
                Prompt.created_at < position.created_at,
                (Prompt.created_at == position.created_at) & (Prompt.id < position.id),
            )
        )
    stmt = stmt.order_by(Prompt.created_at.desc(), Prompt.id.desc()).limit(query.limit + 1)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > query.limit
    items = rows[: query.limit]
    cursor = encode_cursor(items[-1].created_at, items[-1].id) if more and items else None
    return Page(items, total, cursor)


def get_prompt(prompt_id: int) -> Prompt:
    """The prompt with this id, or :class:`NotFound`."""
    return get_owned(Prompt, prompt_id, "prompt")


def _variables(content: str, variables: list[Any]) -> list[dict[str, Any]]:
    return check_template(content, [v.model_dump() for v in variables])


def create_prompt(data: PromptCreate) -> Prompt:
    """Save a new prompt."""
    prompt = Prompt(
        owner_id=owner_id(),
        content=data.content,
        title=data.title,
        tags=list(dict.fromkeys(data.tags)),
        variables=_variables(data.content, data.variables),
    )
    db.session.add(prompt)
    db.session.commit()
    return prompt


def update_prompt(prompt_id: int, data: PromptUpdate) -> Prompt:
    """Change the given fields of a prompt; placeholders are checked against its variables."""
    prompt = get_prompt(prompt_id)
    content = data.content if data.content is not None else prompt.content
    if data.variables is not None:
        prompt.variables = _variables(content, data.variables)
    else:
        prompt.variables = check_template(content, prompt.variables)
    prompt.content = content
    if data.title is not None:
        prompt.title = data.title
    if data.tags is not None:
        prompt.tags = list(dict.fromkeys(data.tags))
    prompt.updated_at = utcnow()
    db.session.commit()
    return prompt


def delete_prompt(prompt_id: int) -> None:
    """Delete a prompt."""
    prompt = get_prompt(prompt_id)
    db.session.delete(prompt)
    db.session.commit()


def export_library() -> PromptLibrary:
    """Every prompt, oldest first, in the import format."""
    prompts = db.session.scalars(
        select(Prompt).where(owned(Prompt)).order_by(Prompt.created_at, Prompt.id)
    )
    return PromptLibrary(
        exported_at=utcnow(),
        prompts=[
            PromptExportItem.model_validate(
                {
                    "uuid": p.uuid,
                    "content": p.content,
                    "title": p.title,
                    "tags": p.tags,
                    "variables": p.variables,
                    "created_at": p.created_at,
                }
            )
            for p in prompts
        ],
    )


def import_library(library: PromptLibrary) -> tuple[int, int]:
    """Upsert every prompt by UUID in one transaction; return (created, updated)."""
    created = updated = 0
    for index, item in enumerate(library.prompts):
        try:
            variables = _variables(item.content, item.variables)
        except InvalidInput as exc:
            db.session.rollback()
            raise InvalidInput(f"prompts.{index}: {exc.message}", exc.details) from exc
        uuid = item.uuid.lower()
        prompt = db.session.scalar(select(Prompt).where(owned(Prompt), Prompt.uuid == uuid))
        if prompt is None:
            prompt = Prompt(uuid=uuid, owner_id=owner_id())
            if item.created_at is not None:
                prompt.created_at = item.created_at
            db.session.add(prompt)
            created += 1
        else:
            prompt.updated_at = utcnow()
            updated += 1
        prompt.content = item.content
        prompt.title = item.title
        prompt.tags = list(dict.fromkeys(item.tags))
        prompt.variables = variables
    db.session.commit()
    return created, updated


def add_examples(user_id: int) -> int:
    """Give an account the bundled example prompts (English and Japanese) it lacks.

    Part of the caller's transaction; returns how many were added.
    """
    library = PromptLibrary.model_validate_json(EXAMPLES_FILE.read_text(encoding="utf-8"))
    have = set(db.session.scalars(select(Prompt.uuid).where(Prompt.owner_id == user_id)))
    now = utcnow()
    added = [item for item in library.prompts if item.uuid not in have]
    for item in added:
        db.session.add(
            Prompt(
                owner_id=user_id,
                uuid=item.uuid,
                content=item.content,
                title=item.title,
                tags=item.tags,
                variables=[v.model_dump() for v in item.variables],
                created_at=now,
            )
        )
    return len(added)
