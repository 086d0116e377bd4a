"""A family's data: everything about one reader to take away, and deleting it for good.

An export is built in memory and sent; nothing is written to disk. A deletion
removes the rows in one write transaction and only then stops a story of
theirs that is being written: the runner's piece writer finds the story gone
at its next commit (at most 100 ms later) and stops, and the end of a story
that no longer exists is not saved (``storybot.services.story_finish``), so
nothing comes back.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from storybot.database import write_intent
from storybot.errors import NotFound
from storybot.extensions import db
from storybot.models import (
    ApiToken,
    Profile,
    Prompt,
    Story,
    StoryPiece,
    StoryStatus,
    TokenUsage,
    User,
    utcnow,
)
from storybot.schemas.family_data import DeletedData, ExportedStory, ReaderExportDocument
from storybot.schemas.profiles import ProfileOut
from storybot.services import (
    profile_service,
    story_export,
    story_furigana,
    story_service,
    story_views,
)
from storybot.services.components import components
from storybot.services.ownership import owned

BATCH_SIZE = 500
"""Ids per statement: SQLite limits the variables of one statement, and a
retention sweep commits each batch so that the story runner's writes never
wait long behind it."""

FINAL_STATUSES = tuple(status for status in StoryStatus if status.is_final)

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a ZIP entry can hold


@dataclass(frozen=True)
class ReaderArchive:
    """A reader's export: the zip's bytes and the file name to save it under."""

    body: bytes
    filename: str


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    size = BATCH_SIZE
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# --- export -----------------------------------------------------------------------------------


def archive_name(profile: Profile) -> str:
    """``storybot-reader-mia.zip``; a name without an ASCII spelling (Japanese) gives
    ``storybot-reader-<id>.zip``, so the file name is safe on every system."""
    return f"storybot-reader-{story_export.file_slug(profile.name) or profile.id}.zip"


def _epub_name(exportable: story_export.ExportableStory) -> str:
    """``stories/story-12-the-moon.epub``: the id keeps two stories of one title apart."""
    name = story_export.export_filename(exportable, ".epub")
    prefix = f"story-{exportable.id}"
    return f"stories/{name if name.startswith(prefix + '.') else f'{prefix}-{name}'}"


def _exported(story: Story, epub: str | None) -> ExportedStory:
    view = story_views.story_view(story)
    request = story.request
    return ExportedStory(
        id=story.id,
        uuid=story.uuid,
        status=story.status.value,
        title=view["title"],
        text=view["body"],
        language=story.language,
        reader_name=story.reader_name,
        prompt=request.prompt_text,
        length=request.length,
        tone=view["request"].get("tone"),
        moral=request.moral,
        favourite=story.favourite,
        reading_grade=story.reading_grade,
        target_grade=story_views.story_target_grade(story),
        engine=story.engine,
        model=story.model,
        created_at=story.created_at,
        finished_at=story.finished_at,
        updated_at=story.updated_at,
        epub=epub,
    )


def _entry(name: str, when: datetime, compress: bool) -> zipfile.ZipInfo:
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    info = zipfile.ZipInfo(name, date_time=max(stamp, _ZIP_EPOCH))
    # An EPUB is a zip already: deflating it again would only cost time.
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def export_reader(profile_id: int) -> ReaderArchive:
    """Everything about one reader in a zip: ``reader.json`` (the profile and every story
    written for them, oldest first) and an EPUB of each story that has ended with text.

    Stories still being written are in ``reader.json`` with their text so far. Names
    inside the zip are ASCII whatever the reader and titles are called.
    """
    profile = profile_service.get_profile(profile_id)  # the acting account's, or 404
    now = utcnow()
    stories = db.session.scalars(
        select(Story).where(owned(Story), Story.profile_id == profile.id).order_by(Story.id)
    )
    buffer = io.BytesIO()
    exported: list[ExportedStory] = []
    with zipfile.ZipFile(buffer, "w") as archive:
        for story in stories:
            epub_name = None
            if story.status.is_final:
                book = story_service.exportable(story, story_furigana.setting_for(story))
                if book.text.strip():
                    epub_name = _epub_name(book)
                    when = book.modified_at.astimezone(UTC)
                    archive.writestr(_entry(epub_name, when, False), story_export.to_epub(book))
            exported.append(_exported(story, epub_name))
        document = ReaderExportDocument(
            exported_at=now, reader=ProfileOut.model_validate(profile), stories=exported
        )
        text = json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2)
        archive.writestr(_entry("reader.json", now, True), text + "\n")
    return ReaderArchive(buffer.getvalue(), archive_name(profile))


# --- deletion ---------------------------------------------------------------------------------


def delete_story_rows(story_ids: Sequence[int]) -> DeletedData:
    """Delete these stories and their pieces, in the caller's transaction (not committed).

    Pieces go first by name rather than by the foreign key's cascade, so that
    nothing depends on SQLite's ``foreign_keys`` pragma being on.
    """
    deleted = DeletedData()
    for batch in _batches(story_ids):
        pieces = db.session.execute(delete(StoryPiece).where(StoryPiece.story_id.in_(batch)))
        rows = db.session.execute(delete(Story).where(Story.id.in_(batch)))
        deleted.story_pieces += _rowcount(pieces)
        deleted.stories += _rowcount(rows)
    return deleted


def stop_writing(story_ids: Iterable[int]) -> None:
    """After deleting stories: stop this process's runner writing any of them at once,
    and wake their followers (an open event stream ends)."""
    runner = components().runner
    bus = components().bus
    for story_id in story_ids:
        runner.cancel_local(story_id)
        bus.publish(story_id)


def delete_reader(profile_id: int) -> DeletedData:
    """Delete one of the acting account's readers with every story written for them
    and the stories' pieces (another account's reader is a 404).

    A story of theirs that is queued or being written is deleted too, and its
    writing stopped (see the module's docstring). All or nothing: one transaction.
    """
    with write_intent():
        # Locked (on PostgreSQL) so that no story for them is created meanwhile.
        profile = db.session.scalar(
            select(Profile).where(Profile.id == profile_id, owned(Profile)).with_for_update()
        )
        if profile is None:
            db.session.rollback()
            raise NotFound("reader", profile_id)
        story_ids = list(
            db.session.scalars(
                select(Story.id)
                .where(Story.profile_id == profile.id, owned(Story))
                .with_for_update()
            )
        )
        deleted = delete_story_rows(story_ids)
        db.session.execute(delete(Profile).where(Profile.id == profile.id))
        deleted.readers = 1
        db.session.commit()
    stop_writing(story_ids)
    return deleted


def delete_owned_data(owner_id: int, *, delete_account: bool = False) -> DeletedData:
    """Delete everything the account ``owner_id`` owns: its stories (and their pieces),
    its readers and its prompts, in one transaction; its stories being written stop.

    With ``delete_account`` the account goes in the same transaction, with its
    API tokens and token usage (its sessions end with it): what ``DELETE /api/me``
    and ``DELETE /api/users/<id>`` do. Checks (the password, the last admin) are
    the caller's. Other accounts' rows are never touched.
    """
    with write_intent():
        story_ids = list(
            db.session.scalars(select(Story.id).where(Story.owner_id == owner_id).with_for_update())
        )
        deleted = delete_story_rows(story_ids)
        readers = db.session.execute(delete(Profile).where(Profile.owner_id == owner_id))
        prompts = db.session.execute(delete(Prompt).where(Prompt.owner_id == owner_id))
        deleted.readers = _rowcount(readers)
        deleted.prompts = _rowcount(prompts)
        if delete_account:
            # By name, as the pieces: nothing hangs on SQLite's foreign_keys pragma.
            db.session.execute(delete(ApiToken).where(ApiToken.user_id == owner_id))
            db.session.execute(delete(TokenUsage).where(TokenUsage.user_id == owner_id))
            accounts = db.session.execute(delete(User).where(User.id == owner_id))
            deleted.accounts = _rowcount(accounts)
        db.session.commit()
    stop_writing(story_ids)
    return deleted


# --- retention --------------------------------------------------------------------------------


def prune_stories(days: int, *, now: datetime | None = None) -> int:
    """Delete the stories that ended more than ``days`` ago (their end, else their
    creation), with their pieces; returns how many.

    Only stories in a final status: one queued or being written stays however
    old it is. Each batch of ``BATCH_SIZE`` is its own transaction, whose rows
    are locked as they are chosen: a story continued meanwhile (queued again)
    is skipped, never deleted.
    """
    batch = BATCH_SIZE
    cutoff = (now or utcnow()) - timedelta(days=days)
    ended = func.coalesce(Story.finished_at, Story.created_at)
    total = 0
    while True:
        with write_intent():
            story_ids = list(
                db.session.scalars(
                    select(Story.id)
                    .where(Story.status.in_(FINAL_STATUSES), ended < cutoff)
                    .order_by(Story.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if story_ids:
                total += delete_story_rows(story_ids).stories
            db.session.commit()
        stop_writing(story_ids)
        if len(story_ids) < batch:
            return total
