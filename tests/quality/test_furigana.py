"""Furigana from the morphological analyzer: readings, the grade filter, hiragana mode."""

from __future__ import annotations

import pytest

from storybot.quality.furigana import (
    Segment,
    annotate,
    kanji_grade_for_age,
    plain_text,
    ruby_html,
)

STORY = "電車に乗って、お母さんと恐竜を見に行きました。\n\u3000雨の日も、たのしい。"


def test_densha_gets_its_reading() -> None:
    assert annotate("電車", "all") == [Segment("電車", "でんしゃ")]
    assert ruby_html(annotate("電車", "all")) == "<ruby>電車<rt>でんしゃ</rt></ruby>"


def test_okurigana_stay_outside_the_ruby() -> None:
    assert ruby_html(annotate("食べる", "all")) == "<ruby>食<rt>た</rt></ruby>べる"
    assert ruby_html(annotate("引き出し", "all")) == (
        "<ruby>引<rt>ひ</rt></ruby>き<ruby>出<rt>だ</rt></ruby>し"
    )


def test_every_word_with_kanji_gets_a_reading_and_the_text_stays_whole() -> None:
    segments = annotate(STORY, "all")
    assert plain_text(segments) == STORY  # newlines and the ideographic space kept
    readings = {s.text: s.reading for s in segments if s.reading}
    assert readings == {
        "電車": "でんしゃ",
        "乗": "の",
        "母": "かあ",  # before さん, not はは
        "恐竜": "きょうりゅう",
        "見": "み",
        "行": "い",
        "雨": "あめ",
        "日": "ひ",
    }


def test_above_grade_marks_only_words_with_kanji_beyond_the_grade() -> None:
    def marked(grade: int) -> set[str]:
        return {s.text for s in annotate(STORY, "above_grade", grade) if s.reading}

    # 電 (grade 2) marks the whole word 電車, although 車 is grade 1; 見, 雨, 日 are grade 1.
    assert marked(1) == {"電車", "乗", "母", "行", "恐竜"}
    assert marked(2) == {"乗", "恐竜"}
    assert marked(3) == {"恐竜"}  # 恐 and 竜 are taught after elementary school
    assert marked(6) == {"恐竜"}


def test_hiragana_mode_writes_the_kanji_out() -> None:
    segments = annotate(STORY, "hiragana")
    assert all(s.reading is None for s in segments)
    assert plain_text(segments) == (
        "でんしゃにのって、おかあさんときょうりゅうをみにいきました。\n\u3000あめのひも、たのしい。"
    )


def test_none_keeps_the_text_as_written() -> None:
    assert annotate(STORY, "none") == [Segment(STORY)]


def test_the_html_is_escaped() -> None:
    html = ruby_html(annotate('<b>電車</b> & "駅"', "all"))
    assert html == (
        "&lt;b&gt;<ruby>電車<rt>でんしゃ</rt></ruby>&lt;/b&gt; &amp; "
        "&quot;<ruby>駅<rt>えき</rt></ruby>&quot;"
    )


def test_text_without_japanese_passes_through() -> None:
    assert annotate("Once upon a time.", "all") == [Segment("Once upon a time.")]
    assert annotate("", "all") == []


@pytest.mark.parametrize(
    ("age", "grade"), [(5, 1), (6, 1), (7, 1), (8, 2), (11, 5), (12, 6), (15, 6)]
)
def test_the_kanji_grade_of_an_age(age: int, grade: int) -> None:
    assert kanji_grade_for_age(age) == grade
