"""Story export: Markdown, a printable HTML page and EPUB 3 (checked with epubcheck)."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from storybot.services.story_export import (
    EXPORT_FORMATS,
    ExportableStory,
    export_filename,
    render_export,
    to_epub,
    to_html,
    to_markdown,
)
from tests.support import assert_epubcheck_clean

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HOSTILE = '<script>alert("boo")</script> Tom & Jerry &amp; co.'

ENGLISH = ExportableStory(
    id=12,
    uuid="6f1c1e62-5a3d-4b0c-9a4e-0b7f4c2d9e11",
    title="The Brave Fox",
    text=(
        "Once upon a time, a small fox lived by the river.\n\n"
        "Every night she counted the stars.\nOne, two, three...\n\n"
        "# not a heading\n- not a list\n> not a quote\n\n"
        f"{HOSTILE}\n\n"
        "The end."
    ),
    language="en",
    reader_name="Mia",
    created_at=datetime(2025, 3, 12, 8, 30, tzinfo=UTC),
    modified_at=datetime(2025, 3, 13, 9, 0, 5, tzinfo=UTC),
    engine="builtin",
    model="tiny-stories",
)

JAPANESE = ExportableStory(
    id=34,
    uuid="0b7f4c2d-9e11-4b0c-9a4e-6f1c1e625a3d",
    title="ミアと<ふしぎ>な森 🌲",
    text=(
        "\u3000むかしむかし、森のはずれに小さなきつねが住んでいました。🦊\n\n"
        f"\u3000{HOSTILE}\n\n"
        "「おやすみなさい」と、きつねは言いました。🌙✨"
    ),
    language="ja",
    reader_name="ミア",
    created_at=datetime(2025, 3, 12, 23, 30, tzinfo=UTC),
    modified_at=datetime(2025, 3, 13, 0, 15, 42, tzinfo=UTC),
    engine=None,
    model=None,
)


def story(**changes: Any) -> ExportableStory:
    """The English story with some fields changed."""
    return dataclasses.replace(ENGLISH, **changes)


# --- EPUB -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "book",
    [
        pytest.param(ENGLISH, id="english"),
        pytest.param(JAPANESE, id="japanese-emoji-markup"),
        pytest.param(
            story(
                title="  ",
                text="",
                reader_name=None,
                uuid="not-a-uuid",
                created_at=datetime(1975, 5, 1),
                modified_at=datetime(1975, 5, 2),
            ),
            id="empty-naive-old",
        ),
    ],
)
def test_epub_passes_epubcheck(book: ExportableStory, tmp_path: Path) -> None:
    path = tmp_path / export_filename(book, ".epub")
    path.write_bytes(to_epub(book))
    assert_epubcheck_clean(path)


def test_epub_zip_layout() -> None:
    data = to_epub(JAPANESE)
    # Readers sniff the type from fixed offsets: the first local header names "mimetype".
    assert data[:4] == b"PK\x03\x04"
    assert data[30:38] == b"mimetype"
    assert data[38:58] == b"application/epub+zip"
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert archive.read("mimetype") == b"application/epub+zip"
        assert archive.namelist() == [
            "mimetype",
            "META-INF/container.xml",
            "OEBPS/content.opf",
            "OEBPS/nav.xhtml",
            "OEBPS/story.xhtml",
            "OEBPS/style.css",
        ]
        container = ET.fromstring(archive.read("META-INF/container.xml"))
    rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    assert rootfile is not None
    assert rootfile.get("full-path") == "OEBPS/content.opf"


def read_entry(book: ExportableStory, name: str) -> ET.Element:
    with zipfile.ZipFile(BytesIO(to_epub(book))) as archive:
        return ET.fromstring(archive.read(name))


def test_epub_package_metadata() -> None:
    tokyo = timezone(timedelta(hours=9))
    book = story(modified_at=datetime(2025, 3, 14, 9, 5, 7, tzinfo=tokyo))
    package = read_entry(book, "OEBPS/content.opf")
    assert package.get("version") == "3.0"
    identifier = package.find(f".//{DC}identifier")
    assert identifier is not None
    assert identifier.get("id") == package.get("unique-identifier")
    assert identifier.text == f"urn:uuid:{ENGLISH.uuid}"
    assert package.findtext(f".//{DC}title") == "The Brave Fox"
    assert package.findtext(f".//{DC}language") == "en"
    assert package.findtext(f".//{DC}creator") == "Storybot"
    modified = package.find(f".//{OPF}meta[@property='dcterms:modified']")
    assert modified is not None
    assert modified.text == "2025-03-14T00:05:07Z"  # CCYY-MM-DDThh:mm:ssZ, in UTC
    items = {item.get("href"): item for item in package.iter(f"{OPF}item")}
    assert set(items) == {"nav.xhtml", "story.xhtml", "style.css"}
    assert items["nav.xhtml"].get("properties") == "nav"
    assert items["style.css"].get("media-type") == "text/css"
    spine = [ref.get("idref") for ref in package.iter(f"{OPF}itemref")]
    assert spine == [items["story.xhtml"].get("id")]


def test_epub_chapter_keeps_text_as_text() -> None:
    chapter = read_entry(JAPANESE, "OEBPS/story.xhtml")
    assert chapter.get(XML_LANG) == "ja"
    assert chapter.get("lang") == "ja"
    assert chapter.find(f".//{XHTML}script") is None
    paragraphs = ["".join(p.itertext()) for p in chapter.iter(f"{XHTML}p")]
    assert paragraphs[0] == "ミアへのおはなし・2025年3月12日"
    assert paragraphs[1:] == [
        "\u3000むかしむかし、森のはずれに小さなきつねが住んでいました。🦊",
        f"\u3000{HOSTILE}",
        "「おやすみなさい」と、きつねは言いました。🌙✨",
    ]
    assert chapter.findtext(f".//{XHTML}h1") == "ミアと<ふしぎ>な森 🌲"
    nav = read_entry(JAPANESE, "OEBPS/nav.xhtml")
    toc = nav.find(f".//{XHTML}nav")
    assert toc is not None
    assert toc.get("{http://www.idpf.org/2007/ops}type") == "toc"
    assert nav.findtext(f".//{XHTML}a") == "ミアと<ふしぎ>な森 🌲"


def test_epub_is_reproducible_and_identifies_every_story() -> None:
    assert to_epub(ENGLISH) == to_epub(ENGLISH)
    odd = story(uuid="story-12")
    identifiers = {
        read_entry(odd, "OEBPS/content.opf").findtext(f".//{DC}identifier") for _ in range(2)
    }
    assert len(identifiers) == 1
    identifier = identifiers.pop() or ""
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", identifier)


def test_epub_drops_characters_xml_cannot_hold() -> None:
    chapter = read_entry(story(text="bell\x07 and form\x0cfeed"), "OEBPS/story.xhtml")
    assert "".join(chapter.itertext()).count("bell and formfeed") == 1


# --- HTML -------------------------------------------------------------------------------------

VOID = {"meta", "br", "link", "img", "hr", "input"}


class StrictParser(HTMLParser):
    """Collects tags and text, and fails on an end tag that does not close the open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open.pop() == tag, f"</{tag}> closes the wrong element"

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] != "style":
            self.text.append(data)


def parse(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.open == [], f"left open: {parser.open}"
    return parser


def test_html_escapes_story_text() -> None:
    page = to_html(ENGLISH)
    parsed = parse(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert HOSTILE in "".join(parsed.text)
    assert "&lt;script&gt;" in page
    assert "<script" not in page
    assert "# not a heading" in "".join(parsed.text)


def test_html_is_standalone() -> None:
    page = to_html(ENGLISH)
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?:|url\(|@import|<link|<img|src=", page)
    assert ("meta", {"charset": "utf-8"}) in parsed.tags


def test_html_english_reading_style() -> None:
    page = to_html(ENGLISH)
    parsed = parse(page)
    assert parsed.tags[0] == ("html", {"lang": "en"})
    assert "line-height: 1.6;" in page
    assert "line-height: 1.8" not in page
    assert "max-width: 65ch" in page
    assert "@media print" in page
    assert "prefers-color-scheme: dark" in page
    assert "<title>The Brave Fox</title>" in page
    assert "<h1>The Brave Fox</h1>" in page
    assert "A story for Mia · " in page
    assert '<time datetime="2025-03-12">12 March 2025</time>' in page


def test_html_japanese_reading_style() -> None:
    page = to_html(JAPANESE)
    parsed = parse(page)
    assert parsed.tags[0] == ("html", {"lang": "ja"})
    assert "line-height: 1.8;" in page
    assert '"Noto Sans JP", "Hiragino Sans"' in page
    assert '"Yu Gothic"' in page
    assert "max-width: 40em" in page
    assert "font-style: normal" in page
    assert "font-style: italic" not in page
    assert "@media print" in page
    assert "ミアと&lt;ふしぎ&gt;な森 🌲" in page
    text = "".join(parsed.text)
    assert "ミアへのおはなし・2025年3月12日" in text
    assert "🦊" in text
    assert HOSTILE in text


def test_html_keeps_line_breaks_inside_a_paragraph() -> None:
    page = to_html(ENGLISH)
    assert "<p>Every night she counted the stars.<br>\nOne, two, three...</p>" in page


def test_html_without_reader_shows_only_the_date() -> None:
    page = to_html(story(reader_name="  ", title=""))
    assert '<p class="byline"><time datetime="2025-03-12">12 March 2025</time></p>' in page
    assert "<h1>Untitled story</h1>" in page


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_title_byline_and_paragraphs() -> None:
    blocks = to_markdown(ENGLISH).rstrip("\n").split("\n\n")
    assert blocks[0] == "# The Brave Fox"
    assert blocks[1] == "A story for Mia · 12 March 2025"
    assert blocks[2] == "Once upon a time, a small fox lived by the river."
    assert blocks[3] == "Every night she counted the stars.  \nOne, two, three..."
    assert blocks[-1] == "The end."
    assert len(blocks) == 2 + 5


def test_markdown_story_text_cannot_become_markup() -> None:
    text = (
        "# heading\n## sub\n> quote\n- item\n+ item\n* item\n1. first\n2) second\n"
        "    indented code\n```\n~~~\n===\n---\n<div>raw</div>\nsee <https://x.example>\n"
        "&copy; &#169; fish & chips"
    )
    lines = to_markdown(story(text=text)).rstrip("\n").split("\n\n")[2].split("  \n")
    assert lines == [
        "\\# heading",
        "\\## sub",
        "\\> quote",
        "\\- item",
        "\\+ item",
        "\\* item",
        "1\\. first",
        "2\\) second",
        "indented code",
        "\\```",
        "\\~~~",
        "\\===",
        "\\---",
        "\\<div>raw\\</div>",
        "see \\<https://x.example>",
        "\\&copy; \\&#169; fish & chips",
    ]


def test_markdown_title_is_one_plain_heading() -> None:
    markdown = to_markdown(story(title="The <b>Bold</b>\nFox #"))
    assert markdown.startswith("# The \\<b>Bold\\</b> Fox \\#\n\n")


def test_markdown_japanese_has_no_italics() -> None:
    markdown = to_markdown(JAPANESE)
    blocks = markdown.rstrip("\n").split("\n\n")
    assert blocks[0] == "# ミアと\\<ふしぎ>な森 🌲"
    assert blocks[1] == "ミアへのおはなし・2025年3月12日"
    assert blocks[2].startswith("\u3000むかしむかし")  # the Japanese indent stays
    assert "\\<script>" in blocks[3]
    assert "*" not in markdown
    assert "_" not in markdown


# --- Files and formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Brave Fox", "the-brave-fox"),
        ("  The Fox's Day!  ", "the-foxs-day"),
        ("The Fox\u2019s Day", "the-foxs-day"),
        ("Café au lait, s'il vous plaît", "cafe-au-lait-sil-vous-plait"),
        ("Straße der Träume", "strasse-der-traume"),
        ("Mia 🦊 and the Moon 🌙", "mia-and-the-moon"),
        ("\uff21\uff22\uff23 \uff12\uff10\uff12\uff15", "abc-2025"),  # full width
        ("../../etc/passwd", "etc-passwd"),
        ("ミアとふしぎな森", "story-12"),
        ("ミアとAIロボット", "story-12"),
        ("Лиса", "story-12"),
        ("🦊🌙", "story-12"),
        ("", "story-12"),
        ("!!!", "story-12"),
        ("CON", "story-12"),
    ],
)
def test_export_filename_slug(title: str, expected: str) -> None:
    assert export_filename(story(title=title), ".epub") == f"{expected}.epub"


def test_export_filename_long_title_is_cut_at_a_word() -> None:
    name = export_filename(story(title="once upon a time " * 10), "md")
    assert name == "once-upon-a-time-once-upon-a-time-once-upon-a-time-once-upon.md"
    assert export_filename(story(title="Once upon a time, " * 4 + "the end"), "md") == (
        "once-upon-a-time-once-upon-a-time-once-upon-a-time-once-upon.md"
    )
    unbroken = export_filename(story(title="a" * 100), "md")
    assert unbroken == "a" * 60 + ".md"


@pytest.mark.parametrize("extension", ["", ".", "../x", ".tar.gz", ".e pub"])
def test_export_filename_rejects_odd_extensions(extension: str) -> None:
    with pytest.raises(ValueError, match="Not a file extension"):
        export_filename(ENGLISH, extension)


def test_export_formats() -> None:
    assert EXPORT_FORMATS == {
        "markdown": (".md", "text/markdown; charset=utf-8"),
        "html": (".html", "text/html; charset=utf-8"),
        "epub": (".epub", "application/epub+zip"),
    }


@pytest.mark.parametrize("fmt", ["markdown", "html", "epub"])
def test_render_export(fmt: str) -> None:
    body, content_type, filename = render_export(JAPANESE, fmt)
    extension, expected_type = EXPORT_FORMATS[fmt]
    assert content_type == expected_type
    assert filename == f"story-34{extension}"
    expected = {"markdown": to_markdown, "html": to_html}
    if fmt == "epub":
        assert body == to_epub(JAPANESE)
    else:
        assert body.decode("utf-8") == expected[fmt](JAPANESE)


@pytest.mark.parametrize("fmt", ["pdf", "EPUB", ""])
def test_render_export_rejects_unknown_formats(fmt: str) -> None:
    with pytest.raises(ValueError, match="Unknown export format"):
        render_export(ENGLISH, fmt)
