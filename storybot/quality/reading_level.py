"""Reading level: how hard a text is to read, as a school grade, and the grade a reader reads at.

English uses the Flesch-Kincaid grade (textstat). Japanese has no syllable-based
formula; it uses Tateishi, Ono and Yamada's 1988 readability score, computed from
character classes alone (no dictionary), mapped onto school grades 1-12 (see
:func:`japanese_grade`). Both answer a US or Japanese school grade, so a story's
measured level can be set beside its reader's target from :func:`target_grade`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Literal

with warnings.catch_warnings():
    # textstat 0.7.3 imports pkg_resources, which newer setuptools marks deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", UserWarning)
    import textstat

from storybot.quality.kanji_grades import is_kanji

ReadingLevel = Literal["early", "developing", "confident", "advanced"]

LOWEST_GRADE = 1.0
HIGHEST_GRADE = 12.0
MIN_ENGLISH_WORDS = 20  # fewer words give a grade that swings on one sentence
MIN_JAPANESE_CHARS = 40

# How far a reader's reading level moves the target from the grade of their age.
READING_LEVEL_OFFSETS: dict[str, float] = {
    "early": -1.0,
    "developing": 0.0,
    "confident": 1.0,
    "advanced": 2.0,
}
# The target of a reader without an age: a typical grade for each level.
READING_LEVEL_GRADES: dict[str, float] = {
    "early": 1.0,
    "developing": 2.0,
    "confident": 4.0,
    "advanced": 6.0,
}
FIRST_GRADE_AGE = 6  # US first grade and Japanese 小学1年生 both start at about six


def _clamp(grade: float, low: float = LOWEST_GRADE, high: float = HIGHEST_GRADE) -> float:
    return max(low, min(high, grade))


def target_grade(age: int | None, reading_level: str) -> float:
    """The school grade a reader's stories should be written at.

    From the age: grade = age - 5 (a six-year-old is in first grade, in the US and in
    Japan alike), then moved by the reading level: ``early`` one grade below,
    ``developing`` at the grade of the age, ``confident`` one above, ``advanced`` two
    above. Without an age, a typical grade of the level: 1, 2, 4, 6. Always within
    grades 1-12, so a three-year-old's stories aim at first grade (read aloud to them).
    An unknown reading level counts as ``developing``.
    """
    if age is None:
        return READING_LEVEL_GRADES.get(reading_level, READING_LEVEL_GRADES["developing"])
    offset = READING_LEVEL_OFFSETS.get(reading_level, 0.0)
    return _clamp(float(age - FIRST_GRADE_AGE + 1) + offset)


def within_one_grade(measured: float | None, target: float) -> bool:
    """Whether a measured level is within one grade of the target (never, unmeasured)."""
    return measured is not None and abs(measured - target) <= 1.0


def measure_grade(text: str, language: str) -> float | None:
    """The reading level of ``text`` as a school grade (one decimal), or None when the
    text is too short to measure (under 20 English words, or 40 Japanese characters).

    English: the Flesch-Kincaid grade, held within grades 1-12 (the formula goes below
    zero for the simplest texts and past 20 for legal prose). Japanese:
    :func:`japanese_grade`. Another language is measured as English, the only other
    formula here; its number is rough.
    """
    if language.split("-")[0].lower() == "ja":
        return japanese_grade(text)
    return english_grade(text)


def english_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of an English text, within 1-12 (None under 20 words)."""
    if textstat.lexicon_count(text) < MIN_ENGLISH_WORDS:
        return None
    return round(_clamp(float(textstat.flesch_kincaid_grade(text))), 1)


# --- Japanese -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。．！？!?\n]+")
_COMMAS = frozenset("、，,")
RunClass = Literal["hiragana", "katakana", "kanji", "alphabet"]


def _char_class(char: str) -> RunClass | None:
    if is_kanji(char):
        return "kanji"
    code = ord(char)
    if 0x3041 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F:
        return "katakana"  # the long vowel mark ー is in this block too
    if (char.isascii() and char.isalpha()) or 0xFF21 <= code <= 0xFF5A:
        return "alphabet"
    return None  # punctuation, digits, spaces, emoji: they end a run


@dataclass(frozen=True)
class JapaneseFeatures:
    """The character-class figures of Tateishi et al. (1988) for one text."""

    sentence_length: float  # ls: mean letters per sentence
    alphabet_run: float  # la: mean letters per run of Latin letters (0 without any)
    hiragana_run: float  # lh
    kanji_run: float  # lc
    katakana_run: float  # lk
    commas_per_sentence: float  # cp: 読点 per 句点
    kanji_share: float  # kanji among all letters (reported, not in the formula)


def japanese_features(text: str) -> JapaneseFeatures | None:
    """The figures of :func:`tateishi_score` for ``text``, or None without any letters."""
    runs: dict[RunClass, list[int]] = {"hiragana": [], "katakana": [], "kanji": [], "alphabet": []}
    current: RunClass | None = None
    letters = kanji = 0
    for char in text:
        kind = _char_class(char)
        if kind is None:
            current = None
            continue
        letters += 1
        kanji += kind == "kanji"
        if kind == current:
            runs[kind][-1] += 1
        else:
            runs[kind].append(1)
            current = kind
    sentences = [s for s in _SENTENCE_END.split(text) if any(_char_class(c) for c in s)]
    if not letters or not sentences:
        return None

    def mean(lengths: list[int]) -> float:
        return sum(lengths) / len(lengths) if lengths else 0.0

    return JapaneseFeatures(
        sentence_length=letters / len(sentences),
        alphabet_run=mean(runs["alphabet"]),
        hiragana_run=mean(runs["hiragana"]),
        kanji_run=mean(runs["kanji"]),
        katakana_run=mean(runs["katakana"]),
        commas_per_sentence=sum(c in _COMMAS for c in text) / len(sentences),
        kanji_share=kanji / letters,
    )


def tateishi_score(features: JapaneseFeatures) -> float:
    """Tateishi, Ono and Yamada's readability score RS' (1988): scaled to a mean of 50
    and a deviation of 10 over their corpus of general texts; higher is easier.

    Long hiragana runs raise it (plain kana text); long kanji and katakana runs, long
    sentences and many commas lower it.
    """
    f = features
    return (
        -0.12 * f.sentence_length
        - 1.37 * f.alphabet_run
        + 7.4 * f.hiragana_run
        - 23.18 * f.kanji_run
        - 5.4 * f.katakana_run
        - 4.67 * f.commas_per_sentence
        + 115.79
    )


# The two anchors of the mapping, set by hand on the fixed texts of the tests
# (tests/quality/test_reading_level.py), not fitted to a graded corpus: a kana-only
# picture book scores about 140, a first-grade text with a few grade-1 kanji about 108,
# a fifth-grade text about 80, newspaper prose about 40. Between them, linear.
SCORE_AT_GRADE_1 = 115.0
SCORE_AT_GRADE_12 = 40.0


def japanese_grade(text: str) -> float | None:
    """The school grade (1-12, one decimal) of a Japanese text, or None under 40 letters.

    RS' (:func:`tateishi_score`) is mapped linearly: 115 and above is grade 1, 40 and
    below is grade 12 (each grade about 6.8 points). The two anchors are where kana-rich
    picture-book text and kanji-dense newspaper text land; the fixed texts of the tests
    check both ends and the order of the texts between them.
    """
    features = japanese_features(text)
    if features is None or _letter_count(text) < MIN_JAPANESE_CHARS:
        return None
    score = tateishi_score(features)
    span = SCORE_AT_GRADE_1 - SCORE_AT_GRADE_12
    grade = LOWEST_GRADE + (SCORE_AT_GRADE_1 - score) / span * (HIGHEST_GRADE - LOWEST_GRADE)
    return round(_clamp(grade), 1)


def _letter_count(text: str) -> int:
    return sum(_char_class(c) is not None for c in text)
