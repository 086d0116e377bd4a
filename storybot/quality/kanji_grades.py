"""The school grade in which Japanese children learn each kanji (MEXT's 学年別漢字配当表).

The table is the 2020 revision (1,026 kanji over grades 1-6), kept as data in
``storybot/data/kanji_grades.json``; a kanji outside it is taught after grade 6.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

KANJI_GRADES_FILE = Path(__file__).resolve().parent.parent / "data" / "kanji_grades.json"
LAST_ELEMENTARY_GRADE = 6
LATER = 7  # the grade given to a kanji taught after elementary school (or never)
ITERATION_MARK = "々"  # repeats the kanji before it (時々), so it takes that kanji's grade


@cache
def grade_table() -> dict[str, int]:
    """Each kanji of the table and the grade (1-6) it is taught in."""
    data = json.loads(KANJI_GRADES_FILE.read_text(encoding="utf-8"))
    return {kanji: int(grade) for grade, chars in data["grades"].items() for kanji in chars}


def is_kanji(char: str) -> bool:
    """Whether ``char`` is a kanji (CJK ideographs, their extensions, and 々 〆 ヶ)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
        or 0x20000 <= code <= 0x3134F  # Extensions B-G
        or char in "々〆ヶ"
    )


def kanji_grade(char: str) -> int:
    """The grade ``char`` is taught in: 1-6 from the table, :data:`LATER` otherwise."""
    return grade_table().get(char, LATER)


def highest_grade(word: str) -> int:
    """The highest grade among the kanji of ``word`` (0 when it has none).

    An iteration mark counts as the kanji it repeats.
    """
    highest, previous = 0, ""
    for char in word:
        if not is_kanji(char):
            previous = ""
            continue
        target = previous if char == ITERATION_MARK and previous else char
        highest = max(highest, kanji_grade(target))
        previous = target
    return highest
