"""Stories: asking for one, following it, controlling it, keeping the library."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, text

from storybot.database import write_intent
from storybot.engines.base import Engine
from storybot.errors import ApiError, InvalidInput, NotFound, invalid_field
from storybot.extensions import db
from storybot.jobs.job import Job
from storybot.jobs.pieces import next_seq
from storybot.jobs.queue import live_stories, waiting
from storybot.jobs.runner import Dispatch
from storybot.models import Profile, Prompt, Story, StoryPiece, StoryRequest, StoryStatus, utcnow
from storybot.observability import generation_metrics as metrics
from storybot.pipeline.titles import split_title
from storybot.quality.furigana import FuriganaSetting
from storybot.quality.reading_level import measure_grade, target_grade
from storybot.schemas.stories import StoryCreate, StoryListQuery, StoryUpdate
from storybot.services import engine_service
from storybot.services.components import components
from storybot.services.composition import compose, message_rows
from storybot.services.ownership import get_owned, owned, owner_id
from storybot.services.pagination import Cursor, decode_cursor, encode_cursor
from storybot.services.quota_service import check_quota
from storybot.services.settings_service import get_settings, story_defaults
from storybot.services.story_export import ExportableStory
from storybot.services.story_views import story_view
from storybot.services.templates import render

CONTINUABLE = (
    StoryStatus.DONE,
    StoryStatus.INCOMPLETE,
    StoryStatus.FAILED,
    StoryStatus.CANCELLED,
    StoryStatus.INTERRUPTED,
)


def get_story(story_id: int) -> Story:
    """The story with this id, or :class:`NotFound`."""
    return get_owned(Story, story_id, "story")


def ensure_exists(story_id: int) -> None:
    """:class:`NotFound` unless the story exists (reads nothing else)."""
    if db.session.scalar(select(Story.id).where(Story.id == story_id, owned(Story))) is None:
        raise NotFound("story", story_id)


def _reader(profile: Profile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "name": profile.name,
        "age": profile.age,
        "interests": profile.interests,
        "language": profile.language,
        "reading_level": profile.reading_level,
        "favourite_things": profile.favourite_things,
        "things_to_avoid": profile.things_to_avoid,
    }


def _check_queue_room() -> int:
    """The number of stories waiting; 429 when the queue is full, or when the
    account has as many stories waiting or being written as one may."""
    settings = get_settings()
    count = waiting()
    if count >= settings.max_queued_stories:
        raise ApiError(
            429,
            "queue_full",
            f"{count} stories are already waiting to be written; try again in a minute.",
            headers={"Retry-After": "30"},
        )
    _check_account_room(settings.max_stories_per_account)
    return count


def _check_account_room(limit: int) -> None:
    """429 when the acting account has ``limit`` stories waiting or being written:
    one family cannot fill the queue, and the fair order stays short."""
    mine = live_stories(owner_id())
    if mine < limit:
        return
    verb = "is" if mine == 1 else "are"
    raise ApiError(
        429,
        "too_many_stories",
        f"{mine} of your stories {verb} already waiting or being written (at most {limit} "
        "at once); wait for one of them to end, then ask again.",
        {"stories": mine, "limit": limit},
        headers={"Retry-After": "30"},
    )


def _submit(story: Story, waiting: int, engine: Engine) -> None:
    """Save a new story and have it written: at once when a worker is free and
    nothing waits before it (``engine`` starts in this thread), else through the queue."""
    story_runner = runner()
    worker = story_runner.reserve() if waiting == 0 else None
    session = db.session()
    try:
        if worker is not None:
            story.status = StoryStatus.RUNNING
            story.writer_id = worker.writer_id
            story.queued_at = story.started_at = utcnow()
        session.add(story)
        session.flush()
        job = Job.of(story, next_seq=1) if worker is not None else None
        # The answer shows the story as saved here; reading it back would
        # cost a query while the model starts beside it.
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
    except BaseException:
        if worker is not None:
            story_runner.release(worker)
        raise
    if worker is not None and job is not None:
        metrics.QUEUE_DEPTH.set(waiting)
        metrics.QUEUE_WAIT.observe(0.0)  # started at once: it did not wait
        story_runner.hand_over(worker, job, engine)
    else:
        metrics.QUEUE_DEPTH.set(waiting + 1)
        story_runner.wake()


def start(request: StoryCreate, *, trace_id: str | None) -> Story:
    """Compose a story from the request and queue it; the runner writes it."""
    settings = story_defaults(owner_id())
    profile = None
    if request.profile_id is not None:
        profile = db.session.get(Profile, request.profile_id)
        if profile is None or profile.owner_id != owner_id():
            raise InvalidInput(
                f"There is no reader with id {request.profile_id}.",
                [invalid_field("profile_id", "unknown_reader")],
            )
    reader = _reader(profile)
    prompt: Prompt | None = None
    if request.prompt_id is not None:
        prompt = db.session.get(Prompt, request.prompt_id)
        if prompt is None or prompt.owner_id != owner_id():
            raise InvalidInput(
                f"There is no prompt with id {request.prompt_id}.",
                [invalid_field("prompt_id", "unknown_prompt")],
            )
        prompt_text = render(prompt.content, prompt.variables, request.variables, reader)
    else:
        prompt_text = render(str(request.prompt), [], {}, reader) if reader else str(request.prompt)

    language = request.language or (profile.language if profile else settings.default_language)
    engine_name = request.engine or settings.default_engine
    engine = engine_service.engine_for_language(engine_name, language)
    length = request.length or settings.default_length
    tone = request.tone or settings.default_tone
    composition = compose(
        request_text=prompt_text,
        reader=reader,
        language=language,
        length=length,
        tone=tone,
        moral=request.moral,
    )
    check_quota(owner_id())
    waiting = _check_queue_room()
    story = Story(
        owner_id=owner_id(),
        profile_id=profile.id if profile else None,
        prompt_id=prompt.id if prompt else None,
        reader_name=profile.name if profile else "",
        language=language,
        engine=engine_name,
        model=engine.model,
        trace_id=trace_id,
        messages=message_rows(composition.messages),
        request=StoryRequest(
            **request.model_dump(exclude_none=True, exclude={"language", "length", "tone"}),
            prompt_text=prompt_text,
            language=language,
            length=length,
            tone=tone,
            words=composition.words,
            opening=composition.opening,
            max_tokens=composition.max_tokens,
            # The reader's target when the story was asked for; their profile may change.
            target_grade=target_grade(profile.age, profile.reading_level) if profile else None,
        ),
    )
    _submit(story, waiting, engine)
    return story


def runner() -> Dispatch:
    """This app's story runner, started on first use."""
    story_runner = components().runner
    story_runner.start()
    return story_runner


def regenerate(story_id: int, *, trace_id: str | None) -> Story:
    """A new story from the same inputs (the same composed messages and engine)."""
    original = get_story(story_id)
    engine = engine_service.engine_for_language(original.engine, original.language)
    check_quota(owner_id())
    waiting = _check_queue_room()
    story = Story(
        owner_id=original.owner_id,
        profile_id=original.profile_id,
        prompt_id=original.prompt_id,
        reader_name=original.reader_name,
        language=original.language,
        engine=original.engine,
        model=engine.model,
        trace_id=trace_id,
        messages=list(original.messages),
        request=original.request.model_copy(
            update={"regenerated_from": original.id, "continued": 0}
        ),
    )
    _submit(story, waiting, engine)
    return story


def continue_story(story_id: int, *, trace_id: str | None) -> Story:
    """Queue the same story again: the pipeline writes on from the text so far.

    The model gets the story's first messages with its text as its own
    unfinished answer; a story already near its length goes straight to its
    ending. What was written stays as it is.
    """
    story = get_story(story_id)
    if story.status not in CONTINUABLE:
        raise ApiError(
            409, "not_finished", "This story is still being written; wait for it to end first."
        )
    engine_service.engine_for_language(story.engine, story.language)
    check_quota(owner_id())
    _check_queue_room()
    story.request = story.request.model_copy(update={"continued": story.request.continued + 1})
    story.status = StoryStatus.QUEUED
    story.resumes = 0  # a new run: it may go on by itself once again
    story.cancel_requested = False
    story.failure_code = story.failure_reason = story.failure_params = None
    story.queued_at = utcnow()
    story.started_at = story.first_text_at = story.finished_at = None
    story.trace_id = trace_id or story.trace_id
    db.session.commit()
    runner().wake()
    return story


def cancel(story_id: int) -> Story:
    """Stop a story: a queued one at once, a running one within a second (text kept)."""
    story = get_story(story_id)
    if story.status == StoryStatus.QUEUED:
        story.status = StoryStatus.CANCELLED
        story.finished_at = utcnow()
    elif story.status == StoryStatus.RUNNING:
        story.cancel_requested = True
    db.session.commit()
    components().runner.cancel_local(story_id)
    components().bus.publish(story_id)
    return story


def _search(q: str) -> ColumnElement[bool]:
    words = q.strip()
    if db.engine.dialect.name == "sqlite" and len(words) >= 3:
        # FTS5 trigram index: a quoted phrase matches as a substring, any script.
        phrase = '"' + words.replace('"', '""') + '"'
        return Story.id.in_(
            select(text("rowid"))
            .select_from(text("story_search"))
            .where(text("story_search MATCH :phrase").bindparams(phrase=phrase))
        )
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    # PostgreSQL serves ILIKE from its pg_trgm indexes; SQLite's LIKE covers
    # queries of one or two characters, too short for trigrams.
    return or_(
        Story.title.ilike(pattern, escape="\\"),
        Story.text.ilike(pattern, escape="\\"),
    )


def list_stories(query: StoryListQuery) -> tuple[list[Story], int, str | None]:
    """A page of the library, newest first, filtered and searched."""
    filters: list[ColumnElement[bool]] = [owned(Story)]
    if query.q and query.q.strip():
        filters.append(_search(query.q))
    if query.profile_id is not None:
        filters.append(Story.profile_id == query.profile_id)
    if query.status is not None:
        filters.append(Story.status == StoryStatus(query.status))
    if query.favourite is not None:
        filters.append(Story.favourite.is_(query.favourite))
    total = db.session.scalar(select(func.count()).select_from(Story).where(*filters)) or 0
    stmt = select(Story).where(*filters)
    if query.cursor:
        position: Cursor = decode_cursor(query.cursor)
        stmt = stmt.where(
            or_(
                Story.created_at < position.created_at,
                (Story.created_at == position.created_at) & (Story.id < position.id),
            )
        )
    rows = list(
        db.session.scalars(
            stmt.order_by(Story.created_at.desc(), Story.id.desc()).limit(query.limit + 1)
        )
    )
    items = rows[: query.limit]
    more = len(rows) > query.limit and items
    return items, total, encode_cursor(items[-1].created_at, items[-1].id) if more else None


def update_story(story_id: int, data: StoryUpdate) -> Story:
    """An adult corrects a story: title, text, favourite."""
    story = get_story(story_id)
    changes = data.model_dump(exclude_unset=True)
    if "text" in changes and story.status in (StoryStatus.QUEUED, StoryStatus.RUNNING):
        raise ApiError(409, "not_finished", "Wait for the story to end before editing its text.")
    for key, value in changes.items():
        setattr(story, key, value)
    if "text" in changes:
        _replace_pieces(story)
        story.reading_grade = measure_grade(split_title(story.text)[1], story.language)
    story.updated_at = utcnow()
    db.session.commit()
    return story


def _replace_pieces(story: Story) -> None:
    """After an adult edits the text, the event stream replays the edited text.

    The old pieces give way to one piece holding the whole new text, numbered
    after them, so a reader that opens the story anew gets the correction.
    """
    seq = next_seq(story.id)
    db.session.execute(delete(StoryPiece).where(StoryPiece.story_id == story.id))
    db.session.add(StoryPiece(story_id=story.id, seq=seq, text=story.text))


def delete_story(story_id: int) -> None:
    """Delete a story and its pieces (a running one is stopped first)."""
    story = get_story(story_id)
    with write_intent():
        db.session.delete(story)
        db.session.commit()
    components().runner.cancel_local(story_id)
    components().bus.publish(story_id)


def exportable(story: Story, furigana: FuriganaSetting | None = None) -> ExportableStory:
    """The story as the exporters take it: the body without the title line."""
    view = story_view(story)
    return ExportableStory(
        id=story.id,
        uuid=story.uuid,
        title=view["title"],
        text=view["body"],
        language=story.language,
        reader_name=story.reader_name or None,
        created_at=story.created_at,
        modified_at=story.updated_at,
        engine=story.engine or None,
        model=story.model or None,
        reading_grade=story.reading_grade,
        furigana=furigana or FuriganaSetting(),
    )
