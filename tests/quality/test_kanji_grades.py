"""The MEXT table of kanji by school grade (学年別漢字配当表, 2020 revision)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from storybot.quality.kanji_grades import (
    KANJI_GRADES_FILE,
    LATER,
    grade_table,
    highest_grade,
    kanji_grade,
)


def test_the_table_has_the_2020_counts() -> None:
    counts = Counter(grade_table().values())
    assert [counts[grade] for grade in range(1, 7)] == [80, 160, 200, 202, 193, 191]
    assert len(grade_table()) == 1026


def test_no_kanji_is_listed_twice_and_the_stated_counts_match() -> None:
    data = json.loads(KANJI_GRADES_FILE.read_text(encoding="utf-8"))
    every = "".join(data["grades"].values())
    assert len(every) == len(set(every)) == 1026
    assert data["counts"] == {grade: len(chars) for grade, chars in data["grades"].items()}


@pytest.mark.parametrize(
    ("kanji", "grade"),
    [
        ("一", 1),
        ("車", 1),
        ("電", 2),
        ("食", 2),
        ("漢", 3),
        ("乗", 3),
        ("岡", 4),  # the prefecture kanji came into grade 4 in 2020
        ("茨", 4),
        ("賀", 4),  # moved from grade 5 in 2020
        ("囲", 5),  # moved from grade 4 in 2020
        ("恩", 6),  # moved from grade 5 in 2020
        ("論", 6),
        ("竜", LATER),  # taught in junior high school
        ("恐", LATER),
    ],
)
def test_known_kanji_grades(kanji: str, grade: int) -> None:
    assert kanji_grade(kanji) == grade


def test_a_word_takes_its_hardest_kanji_and_the_iteration_mark_repeats() -> None:
    assert highest_grade("電車") == 2
    assert highest_grade("恐竜") == LATER
    assert highest_grade("時々") == 2
    assert highest_grade("ねこ") == 0
