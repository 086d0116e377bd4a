"""Correcting a story and exporting it: PATCH, and Markdown, HTML and EPUB downloads."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from tests.stories.support import MOON, ask, titled, wait_for, write

# --- corrections -----------------------------------------------------------------------------


def test_an_adult_corrects_the_title_and_the_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, MOON)
    response = client.patch(f"/api/stories/{story['id']}", json={"title": "Mia's Moon Trip"})
    assert response.status_code == 200
    assert response.json["title"] == "Mia's Moon Trip"
    assert response.json["text"] == "".join(MOON)
    text = "Title: Mia and the Moon\n\nOnce upon a time, Mia flew to the moon and back."
    response = client.patch(f"/api/stories/{story['id']}", json={"text": text})
    assert response.status_code == 200
    saved = client.get(f"/api/stories/{story['id']}").json
    assert saved["text"] == text
    assert saved["body"] == "Once upon a time, Mia flew to the moon and back."
    assert saved["title"] == "Mia's Moon Trip"  # the corrected title stays
    assert saved["status"] == "done"
    (entry,) = client.get("/api/stories").json["items"]
    assert entry["title"] == "Mia's Moon Trip"
    assert entry["excerpt"] == "Once upon a time, Mia flew to the moon and back."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"text": None}, "text"),
        ({"favourite": "yes please"}, "favourite"),
        ({"status": "done"}, "status"),
    ],
)
def test_invalid_corrections_are_refused(
    client: FlaskClient, fake_engine: FakeEngine, body: dict, field: str
) -> None:
    story = write(client, fake_engine, MOON)
    response = client.patch(f"/api/stories/{story['id']}", json=body)
    assert response.status_code == 422
    assert field in response.json["error"]["message"], response.json
    assert client.get(f"/api/stories/{story['id']}").json["text"] == "".join(MOON)


def test_the_text_of_a_story_being_written_cannot_be_edited(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(MOON, pause_after=2)
    story = ask(client)
    wait_for(client, story["id"], "running")
    response = client.patch(f"/api/stories/{story['id']}", json={"text": "Something else"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "not_finished"
    assert "Wait for the story to end" in response.json["error"]["message"]
    assert client.patch(f"/api/stories/{story['id']}", json={"favourite": True}).status_code == 200
    fake_engine.release()
    done = wait_for(client, story["id"], "done")
    assert done["text"] == "".join(MOON)
    assert done["favourite"] is True  # marked while it was written, still marked


def test_a_queued_story_cannot_be_edited_either(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(MOON, pause_after=1)
    running = ask(client)
    wait_for(client, running["id"], "running")
    queued = ask(client)
    response = client.patch(f"/api/stories/{queued['id']}", json={"text": "Early words"})
    assert response.status_code == 409
    fake_engine.release()
    assert wait_for(client, queued["id"], "done")["text"] != "Early words"


def test_a_title_given_while_the_story_is_written_is_kept(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(MOON, pause_after=2)
    story = ask(client)
    wait_for(client, story["id"], "running")
    response = client.patch(f"/api/stories/{story['id']}", json={"title": "Our Moon Story"})
    assert response.status_code == 200
    fake_engine.release()
    assert wait_for(client, story["id"], "done")["title"] == "Our Moon Story"


def test_an_unknown_story_is_404(client: FlaskClient) -> None:
    for response in (
        client.get("/api/stories/999"),
        client.patch("/api/stories/999", json={"favourite": True}),
        client.delete("/api/stories/999"),
        client.get("/api/stories/999/events"),
        client.get("/api/stories/999/export"),
    ):
        assert response.status_code == 404
        assert "no story with id 999" in response.json["error"]["message"]


# --- export ----------------------------------------------------------------------------------

HOSTILE = ["Title: Tom & the <b>Box</b>\n\n", "Tom found <script>alert('hi')</script> ", "& ran."]


def export(client: FlaskClient, story_id: int, fmt: str | None) -> object:
    url = f"/api/stories/{story_id}/export" + (f"?format={fmt}" if fmt else "")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_markdown_export_has_the_title_and_the_story_without_the_title_line(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = write(client, fake_engine, MOON, profile_id=reader["id"])
    for fmt in ("markdown", None):  # markdown is the default
        response = export(client, story["id"], fmt)
        assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
        assert (
            response.headers["Content-Disposition"] == 'attachment; filename="mia-and-the-moon.md"'
        )
        text = response.get_data(as_text=True)
        assert text.startswith("# Mia and the Moon\n")
        assert "A story for Mia" in text
        assert "Once upon a time, Mia flew to the moon." in text
        assert "Title:" not in text


def test_html_export_is_a_printable_page_with_the_text_escaped(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, HOSTILE)
    response = export(client, story["id"], "html")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="tom-the-b-box-b.html"'
    page = response.get_data(as_text=True)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;" in page
    assert "<h1>Tom &amp; the &lt;b&gt;Box&lt;/b&gt;</h1>" in page
    assert "Title:" not in page


def test_epub_export_is_a_zip_with_the_mimetype_first(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, MOON)
    response = export(client, story["id"], "epub")
    assert response.headers["Content-Type"] == "application/epub+zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="mia-and-the-moon.epub"'
    data = response.get_data()
    assert data[30:58] == b"mimetypeapplication/epub+zip"  # what readers sniff
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        assert "META-INF/container.xml" in book.namelist()
        chapter = book.read("OEBPS/story.xhtml").decode()
    assert "Mia and the Moon" in chapter
    assert "Once upon a time, Mia flew to the moon." in chapter
    assert "Title:" not in chapter


def test_export_uses_the_corrected_title_and_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, MOON)
    client.patch(
        f"/api/stories/{story['id']}",
        json={"title": "A Better Title", "text": "Title: Mia and the Moon\n\nNew words."},
    )
    response = export(client, story["id"], "markdown")
    assert response.headers["Content-Disposition"] == 'attachment; filename="a-better-title.md"'
    text = response.get_data(as_text=True)
    assert text.startswith("# A Better Title\n")
    assert "New words." in text
    assert "Once upon" not in text


def test_a_japanese_story_exports_with_a_safe_file_name(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(
        client, fake_engine, titled("くまとはちみつ", "くまは はちみつが すき。"), language="ja"
    )
    response = export(client, story["id"], "markdown")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="story-{story["id"]}.md"'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("# くまとはちみつ\n")
    assert "くまは はちみつが すき。" in text


def test_an_unknown_export_format_is_422(client: FlaskClient, fake_engine: FakeEngine) -> None:
    story = write(client, fake_engine, MOON)
    response = client.get(f"/api/stories/{story['id']}/export?format=pdf")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert "format" in error["message"]
    assert "markdown" in error["message"]
