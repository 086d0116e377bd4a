"""Furigana: readings over kanji (``<ruby>``), or kanji written out in hiragana.

Readings come from a morphological analyzer, MeCab through fugashi with the UniDic
dictionary of unidic-lite, so any Japanese text gets them, whoever wrote it. A word is
the analyzer's word; okurigana stay outside the ruby (``<ruby>食<rt>た</rt></ruby>べる``)
where the reading lines up with the kana of the word, else the whole word takes it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Literal

import fugashi

from storybot.quality.kanji_grades import LAST_ELEMENTARY_GRADE, highest_grade, is_kanji

FuriganaMode = Literal["none", "all", "above_grade", "hiragana"]
FURIGANA_MODES: tuple[FuriganaMode, ...] = ("none", "all", "above_grade", "hiragana")

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# UniDic cuts お母さん into お + 母 + さん and reads 母 as はは, its reading alone; before
# an honorific, family words take their familiar reading.
_FAMILY_READINGS = {
    "母": "かあ",
    "父": "とう",
    "兄": "にい",
    "姉": "ねえ",
    "祖母": "ばあ",
    "祖父": "じい",
}
_HONORIFICS = frozenset({"さん", "ちゃん", "さま", "様"})
_TAGGER_LOCK = threading.Lock()  # a MeCab tagger is not safe to share between threads


@dataclass(frozen=True)
class Segment:
    """A piece of text and its reading in hiragana (None: shown as it is, no ruby)."""

    text: str
    reading: str | None = None


@dataclass(frozen=True)
class FuriganaSetting:
    """How a reader sees kanji: a mode and, for ``above_grade``, the grade (1-6) they read."""

    mode: FuriganaMode = "none"
    kanji_grade: int | None = None


def kanji_grade_for_age(age: int) -> int:
    """The school grade whose kanji a child of ``age`` has finished learning (1-6).

    A child is in grade ``age - 5`` and has finished the grade before it; a first-grader
    counts as knowing grade 1, which they are learning.
    """
    return max(1, min(LAST_ELEMENTARY_GRADE, age - 6))


@cache
def _tagger() -> fugashi.Tagger:
    return fugashi.Tagger()


def to_hiragana(text: str) -> str:
    """Katakana turned into hiragana; everything else (ー included) unchanged."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def _runs(surface: str) -> list[tuple[str, bool]]:
    """The surface cut into runs of kanji and runs of anything else: ``(run, is_kanji)``."""
    runs: list[tuple[str, bool]] = []
    for char in surface:
        kanji = is_kanji(char)
        if runs and runs[-1][1] == kanji:
            runs[-1] = (runs[-1][0] + char, kanji)
        else:
            runs.append((char, kanji))
    return runs


def _word_segments(surface: str, reading: str) -> list[Segment]:
    """A word with kanji, each kanji run with its part of the reading.

    The kana of the word must appear in the reading in order (食べる / たべる: 食 is
    た); if they do not (a reading that is not spelled like the word), the whole word
    carries the whole reading.
    """
    runs = _runs(surface)
    pattern = "".join(
        "(.+?)" if kanji else f"({re.escape(to_hiragana(run))})" for run, kanji in runs
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [Segment(surface, reading)]
    return [
        Segment(run, part if kanji else None)
        for (run, kanji), part in zip(runs, match.groups(), strict=True)
    ]


def _reading(word: fugashi.UnidicNode) -> str | None:
    kana = getattr(word.feature, "kana", None)  # unknown words have no reading
    return to_hiragana(kana) if kana and kana != "*" else None


def _annotate_line(line: str, setting: FuriganaSetting) -> list[Segment]:
    with _TAGGER_LOCK:
        words = [(w.white_space, w.surface, _reading(w)) for w in _tagger()(line)]
    segments: list[Segment] = []
    grade = setting.kanji_grade or LAST_ELEMENTARY_GRADE
    for index, (white_space, surface, reading) in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if surface in _FAMILY_READINGS and following and following[1] in _HONORIFICS:
            reading = _FAMILY_READINGS[surface]
        if white_space:
            segments.append(Segment(white_space))
        has_kanji = any(is_kanji(c) for c in surface)
        wanted = setting.mode != "above_grade" or highest_grade(surface) > grade
        if not has_kanji or reading is None or not wanted:
            segments.append(Segment(surface))
        elif setting.mode == "hiragana":
            segments.extend(Segment(s.reading or s.text) for s in _word_segments(surface, reading))
        else:
            segments.extend(_word_segments(surface, reading))
    return segments


def _merged(segments: list[Segment]) -> list[Segment]:
    """Neighbouring plain segments joined, so that plain text comes in few pieces."""
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if segment.reading is None and merged and merged[-1].reading is None:
            merged[-1] = Segment(merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def annotate(text: str, mode: FuriganaMode, kanji_grade: int | None = None) -> list[Segment]:
    """``text`` as segments for ``mode``.

    - ``none``: the text as it is, one plain segment;
    - ``all``: a reading over every word with kanji;
    - ``above_grade``: a reading over the words with a kanji taught after grade
      ``kanji_grade`` (1-6; none given: over kanji beyond elementary school);
    - ``hiragana``: kanji replaced by their reading, no ruby.

    The segments' texts joined give back ``text`` (in ``hiragana`` mode, with the kanji
    written out), newlines and spaces included.
    """
    if mode == "none" or not any(is_kanji(c) for c in text):
        return [Segment(text)] if text else []
    setting = FuriganaSetting(mode, kanji_grade)
    segments: list[Segment] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            segments.append(Segment("\n"))
        if line:
            segments.extend(_annotate_line(line, setting))
    return _merged(segments)


def ruby_html(segments: list[Segment]) -> str:
    """The segments as HTML (valid XHTML too): ``<ruby>電車<rt>でんしゃ</rt></ruby>``, all
    text escaped."""
    return "".join(
        f"<ruby>{escape(s.text)}<rt>{escape(s.reading)}</rt></ruby>"
        if s.reading
        else escape(s.text)
        for s in segments
    )


def plain_text(segments: list[Segment]) -> str:
    """The text the segments show, without their readings (what read-aloud speaks)."""
    return "".join(s.text for s in segments)
