"""Exports of a Japanese story with furigana, and the reading level line in every format."""

from __future__ import annotations

import dataclasses
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from storybot.quality.furigana import FuriganaMode, FuriganaSetting
from storybot.services.story_export import (
    ExportableStory,
    grade_label,
    to_epub,
    to_html,
    to_markdown,
)
from tests.support import assert_epubcheck_clean
from tests.test_story_export import ENGLISH, JAPANESE

DENSHA = dataclasses.replace(
    JAPANESE,
    title="電車にのったミア",
    text="\u3000ミアは電車に乗りました。<窓>から海が見えます。\n\n「きれい！」とミアは言いました。",
    reading_grade=2.4,
)


def with_furigana(mode: FuriganaMode, grade: int | None = None) -> ExportableStory:
    return dataclasses.replace(DENSHA, furigana=FuriganaSetting(mode, grade))


def chapter(epub: bytes) -> str:
    with zipfile.ZipFile(BytesIO(epub)) as archive:
        return archive.read("OEBPS/story.xhtml").decode("utf-8")


def test_the_epub_with_ruby_passes_epubcheck(tmp_path: Path) -> None:
    book = with_furigana("all")
    epub = to_epub(book)
    assert "<ruby>電車<rt>でんしゃ</rt></ruby>" in chapter(epub)
    assert "&lt;<ruby>窓<rt>まど</rt></ruby>&gt;" in chapter(epub)  # story markup stays text
    path = tmp_path / "densha.epub"
    path.write_bytes(epub)
    assert_epubcheck_clean(path)


def test_the_printable_page_follows_the_grade() -> None:
    html = to_html(with_furigana("above_grade", 1))
    assert "<h1><ruby>電車<rt>でんしゃ</rt></ruby>にのったミア</h1>" in html
    assert "<ruby>乗<rt>の</rt></ruby>りました" in html  # 乗 is grade 3
    assert "<ruby>海<rt>うみ</rt></ruby>" in html  # grade 2
    assert "見えます" in html  # 見 is grade 1: no reading
    assert "<ruby>見" not in html
    assert "<title>電車にのったミア</title>" in html  # the window title stays as written


def test_hiragana_mode_writes_every_format_in_kana() -> None:
    book = with_furigana("hiragana")
    markdown = to_markdown(book)
    assert markdown.startswith("# でんしゃにのったミア\n")
    assert "ミアはでんしゃにのりました。" in markdown
    html = to_html(book)
    assert "ミアはでんしゃにのりました。" in html
    assert "<ruby>" not in html


def test_ruby_modes_leave_markdown_as_written() -> None:
    markdown = to_markdown(with_furigana("all"))
    assert "ミアは電車に乗りました。" in markdown
    assert "<ruby>" not in markdown


def test_the_reading_level_is_a_line_of_every_export() -> None:
    assert "読みやすさ：小学2年生くらい" in to_markdown(DENSHA)
    assert "読みやすさ：小学2年生くらい</p>" in to_html(DENSHA)
    assert "読みやすさ：小学2年生くらい" in chapter(to_epub(DENSHA))
    english = dataclasses.replace(ENGLISH, reading_grade=3.6)
    assert "Reading level: about grade 4" in to_markdown(english).splitlines()[2]
    assert "Reading level: about grade 4</p>" in to_html(english)
    assert "Reading level" not in to_html(ENGLISH)  # unmeasured: no line


@pytest.mark.parametrize(
    ("grade", "language", "label"),
    [
        (0.4, "en", "about grade 1"),
        (2.5, "en", "about grade 3"),
        (12.0, "en", "about grade 12"),
        (1.0, "ja", "小学1年生くらい"),
        (6.4, "ja", "小学6年生くらい"),
        (8.0, "ja", "中学2年生くらい"),
        (11.6, "ja", "高校3年生くらい"),
    ],
)
def test_grade_labels(grade: float, language: str, label: str) -> None:
    assert grade_label(grade, language) == label
