"""``/api/stories``: asking for stories, following them as they are written, the library."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request, url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import current_account
from storybot.api.contract import errors
from storybot.api.throttle import throttle_new_story
from storybot.errors import ApiError, InvalidInput, invalid_field
from storybot.pipeline.titles import split_title
from storybot.schemas.common import MAX_DB_ID
from storybot.schemas.stories import (
    EventsQuery,
    ExportQuery,
    FuriganaQuery,
    StoryCreate,
    StoryFurigana,
    StoryListQuery,
    StoryOut,
    StoryPage,
    StoryPath,
    StorySummary,
    StoryUpdate,
)
from storybot.services import story_export, story_furigana, story_service, story_views
from storybot.services.components import components
from storybot.services.story_events import follow, sse
from storybot.services.stream_gate import StreamGate

STREAM_RETRY_SECONDS = 5  # the Retry-After of a refused event stream
EVENT_STREAM = {
    "description": "The story's Server-Sent Events (asked for with 'Accept: text/event-stream').",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}
EXPORT = {
    "description": "The story as a file: Markdown, an EPUB 3 book, or a printable HTML page.",
    "content": {
        "text/markdown": {"schema": {"type": "string"}},
        "application/epub+zip": {"schema": {"type": "string", "format": "binary"}},
        "text/html": {"schema": {"type": "string"}},
    },
}

bp = APIBlueprint("stories", __name__, url_prefix="/api/stories", abp_tags=[Tag(name="stories")])


def _out(story: Any, *, new: bool = False) -> dict[str, Any]:
    view = story_views.story_view(story, new=new)
    return StoryOut.model_validate(view).model_dump(mode="json")


def _accepted(story: Any, *, new: bool = True) -> tuple[dict[str, Any], int, dict[str, str]]:
    return _out(story, new=new), 202, {"Location": url_for(".get_story", story_id=story.id)}


def _wants_stream() -> bool:
    """Whether the client asked for the event stream (``Accept: text/event-stream``) over JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/event-stream"])
    return best == "text/event-stream"


def _enter_stream() -> StreamGate:
    """A place among the open event streams, or 503 when they are all taken."""
    gate = components().streams
    if not gate.enter():
        raise ApiError(
            503,
            "too_many_streams",
            f"The server is following {gate.limit} stories for readers already; "
            "it will take this one in a few seconds.",
            headers={"Retry-After": str(STREAM_RETRY_SECONDS)},
        )
    return gate


def _event_stream(gate: StreamGate, story_id: int, after: int, opening: str = "") -> Response:
    parts = components()
    if parts.relay is not None:
        parts.relay.start()  # started by the server already; here for apps that are not served
    body = follow(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        parts.bus,
        parts.reads,
        story_id,
        after,
        opening=opening,
    )
    return Response(
        gate.counted(body),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _new_story(create: Callable[[], Any]) -> Any:
    """Answer a request that creates a story: 202 with the story, or, asked for
    ``text/event-stream``, the story's events in this same response (a ``story``
    event with the story first). The stream's place is taken before the story
    is created, so a refused stream creates nothing."""
    throttle_new_story(current_account().id)
    if not _wants_stream():
        return _accepted(create())
    gate = _enter_stream()
    try:
        story = create()
        opening = sse(_out(story, new=True), event="story")
    except BaseException:
        gate.leave()
        raise
    response = _event_stream(gate, story.id, 0, opening)
    response.headers["Location"] = url_for(".get_story", story_id=story.id)
    return response


@bp.post("", responses={202: StoryOut, 200: EVENT_STREAM, **errors(429, 503)})
def create_story(body: StoryCreate) -> Any:
    """Ask for a story; it is written in the background: follow its events, or ask
    with ``Accept: text/event-stream`` to have them in this response."""
    return _new_story(lambda: story_service.start(body, trace_id=g.trace_id))


@bp.get("", responses={200: StoryPage})
def list_stories(query: StoryListQuery) -> dict[str, Any]:
    """The library, newest first: search with ``q``, filter by reader, status, favourite."""
    items, total, cursor = story_service.list_stories(query)
    summaries = []
    for story in items:
        _, body = split_title(story.text)
        summaries.append(
            StorySummary(
                id=story.id,
                status=story.status.value,
                title=story.title,
                excerpt=body[:200],
                language=story.language,
                reader_name=story.reader_name,
                profile_id=story.profile_id,
                favourite=story.favourite,
                reading_grade=story.reading_grade,
                target_grade=story_views.story_target_grade(story),
                created_at=story.created_at,
            )
        )
    return StoryPage(items=summaries, total=total, next_cursor=cursor).model_dump(mode="json")


@bp.get("/<id:story_id>", responses={200: StoryOut})
def get_story(path: StoryPath) -> dict[str, Any]:
    """One story, with its text so far while it is being written."""
    return _out(story_service.get_story(path.story_id))


@bp.patch("/<id:story_id>", responses={200: StoryOut, **errors(409)})
def update_story(path: StoryPath, body: StoryUpdate) -> dict[str, Any]:
    """Correct a story's title or text, or mark it a favourite."""
    return _out(story_service.update_story(path.story_id, body))


@bp.delete("/<id:story_id>", responses={204: None})
def delete_story(path: StoryPath) -> tuple[str, int]:
    """Delete a story."""
    story_service.delete_story(path.story_id)
    return "", 204


@bp.get("/<id:story_id>/events", responses={200: EVENT_STREAM, **errors(503)})
def story_events(path: StoryPath, query: EventsQuery) -> Response:
    """Server-Sent Events: the saved text after ``Last-Event-ID`` (or ``?after=``), then
    new text as it is written, ``status`` events, and one final event named after the
    final status (``done``, ``failed``, ``cancelled``, ``interrupted``)."""
    story_service.ensure_exists(path.story_id)  # 404 before the stream starts
    after = query.after
    header = request.headers.get("Last-Event-ID")
    if header:
        # isdigit() alone takes '²' and other digits int() refuses; the bound is the column's.
        if not (header.isascii() and header.isdigit()) or int(header) > MAX_DB_ID:
            raise InvalidInput(
                "Last-Event-ID must be a piece number.",
                [invalid_field("Last-Event-ID", "invalid_last_event_id")],
            )
        after = int(header)
    return _event_stream(_enter_stream(), path.story_id, after or 0)


@bp.post("/<id:story_id>/cancel", responses={200: StoryOut})
def cancel_story(path: StoryPath) -> dict[str, Any]:
    """Stop writing; the text so far is kept."""
    return _out(story_service.cancel(path.story_id))


@bp.post(
    "/<id:story_id>/regenerate", responses={202: StoryOut, 200: EVENT_STREAM, **errors(429, 503)}
)
def regenerate_story(path: StoryPath) -> Any:
    """A new story from the same inputs (its events in this response, as for a new story,
    with ``Accept: text/event-stream``)."""
    return _new_story(lambda: story_service.regenerate(path.story_id, trace_id=g.trace_id))


@bp.post("/<id:story_id>/continue", responses={202: StoryOut, **errors(409, 429)})
def continue_story(path: StoryPath) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Write on from where the story ended or stopped."""
    throttle_new_story(current_account().id)
    return _accepted(story_service.continue_story(path.story_id, trace_id=g.trace_id), new=False)


@bp.get("/<id:story_id>/furigana", responses={200: StoryFurigana})
def get_story_furigana(path: StoryPath, query: FuriganaQuery) -> dict[str, Any]:
    """The story's body with readings for its kanji (``<ruby>``), as its reader's profile
    asks or as ``?furigana=`` asks; while it is written, up to its last complete sentence."""
    story = story_service.get_story(path.story_id)
    body = story_views.current_body(story)
    return story_furigana.story_furigana(story, body, query).model_dump(mode="json")


@bp.get("/<id:story_id>/export", responses={200: EXPORT})
def export_story(path: StoryPath, query: ExportQuery) -> Response:
    """Download the story as Markdown, EPUB 3 or printable HTML (``?format=``); a Japanese
    story shows its kanji as its reader's profile asks, or as ``?furigana=`` asks."""
    story = story_service.get_story(path.story_id)
    exportable = story_service.exportable(story, story_furigana.setting_for(story, query))
    body, content_type, filename = story_export.render_export(exportable, query.format)
    disposition = "inline" if query.format == "html" else "attachment"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
