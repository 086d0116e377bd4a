"""``/api/stories``: asking for stories, following them as they are written, the library."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, request, url_for
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.errors import ApiError, InvalidInput
from storybot.schemas.stories import (
    EventsQuery,
    ExportQuery,
    StoryCreate,
    StoryListQuery,
    StoryOut,
    StoryPage,
    StoryPath,
    StorySummary,
    StoryUpdate,
)
from storybot.services import story_export, story_service
from storybot.services.composition import split_title
from storybot.services.story_events import follow

STREAM_RETRY_SECONDS = 5  # the Retry-After of a refused event stream

bp = APIBlueprint("stories", __name__, url_prefix="/api/stories", abp_tags=[Tag(name="stories")])


def _out(story: Any) -> dict[str, Any]:
    return StoryOut.model_validate(story_service.story_view(story)).model_dump(mode="json")


def _accepted(story: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    return _out(story), 202, {"Location": url_for(".get_story", story_id=story.id)}


@bp.post("", responses={202: StoryOut})
def create_story(body: StoryCreate) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Ask for a story; it is queued and written in the background (follow its events)."""
    return _accepted(story_service.start(body, trace_id=g.trace_id))


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
                created_at=story.created_at,
            )
        )
    return StoryPage(items=summaries, total=total, next_cursor=cursor).model_dump(mode="json")


@bp.get("/<int:story_id>", responses={200: StoryOut})
def get_story(path: StoryPath) -> dict[str, Any]:
    """One story, with its text so far while it is being written."""
    return _out(story_service.get_story(path.story_id))


@bp.patch("/<int:story_id>", responses={200: StoryOut})
def update_story(path: StoryPath, body: StoryUpdate) -> dict[str, Any]:
    """Correct a story's title or text, or mark it a favourite."""
    return _out(story_service.update_story(path.story_id, body))


@bp.delete("/<int:story_id>", responses={204: None})
def delete_story(path: StoryPath) -> tuple[str, int]:
    """Delete a story."""
    story_service.delete_story(path.story_id)
    return "", 204


@bp.get("/<int:story_id>/events")
def story_events(path: StoryPath, query: EventsQuery) -> Response:
    """Server-Sent Events: the saved text after ``Last-Event-ID`` (or ``?after=``), then
    new text as it is written, ``status`` events, and one final event named after the
    final status (``done``, ``failed``, ``cancelled``, ``interrupted``)."""
    story_service.ensure_exists(path.story_id)  # 404 before the stream starts
    after = query.after
    header = request.headers.get("Last-Event-ID")
    if header:
        if not header.isdigit():
            raise InvalidInput("Last-Event-ID must be a piece number.")
        after = int(header)
    gate = current_app.extensions["storybot.streams"]
    if not gate.enter():
        raise ApiError(
            503,
            "too_many_streams",
            f"The server is following {gate.limit} stories for readers already; "
            "it will take this one in a few seconds.",
            headers={"Retry-After": str(STREAM_RETRY_SECONDS)},
        )
    stream = follow(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        current_app.extensions["storybot.bus"],
        path.story_id,
        after or 0,
    )
    return Response(
        gate.counted(stream),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.post("/<int:story_id>/cancel", responses={200: StoryOut})
def cancel_story(path: StoryPath) -> dict[str, Any]:
    """Stop writing; the text so far is kept."""
    return _out(story_service.cancel(path.story_id))


@bp.post("/<int:story_id>/regenerate", responses={202: StoryOut})
def regenerate_story(path: StoryPath) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A new story from the same inputs."""
    return _accepted(story_service.regenerate(path.story_id, trace_id=g.trace_id))


@bp.post("/<int:story_id>/continue", responses={202: StoryOut})
def continue_story(path: StoryPath) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Write on from where the story ended or stopped."""
    return _accepted(story_service.continue_story(path.story_id, trace_id=g.trace_id))


@bp.get("/<int:story_id>/export")
def export_story(path: StoryPath, query: ExportQuery) -> Response:
    """Download the story as Markdown, EPUB 3 or printable HTML (``?format=``)."""
    story = story_service.get_story(path.story_id)
    body, content_type, filename = story_export.render_export(
        story_service.exportable(story), query.format
    )
    disposition = "inline" if query.format == "html" else "attachment"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
