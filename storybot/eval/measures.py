"""What makes a story good, as numbers: measured on one story of the suite.

See the team's quality notes: finished (the story ended on a complete
sentence, not at the token limit), a title of its own, the idea and the
reader kept, the length asked (+-25%), no loops (distinct 4-grams), and the
reading level within one school grade of the reader's target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storybot.pipeline.text_shape import count_words, ends_on_sentence, units
from storybot.pipeline.titles import is_own_title
from storybot.quality.reading_level import measure_grade, within_one_grade

LENGTH_TOLERANCE = 0.25


@dataclass(frozen=True)
class StoryMeasures:
    """The measures of one story."""

    name_used: bool
    interest_used: bool
    idea_kept: bool
    finished: bool
    own_title: bool
    words: float
    target_words: int
    length_ok: bool
    distinct_4grams: float
    reading_grade: float | None  # measured; None for too little text
    target_grade: float
    reading_ok: bool  # within one grade of the target


def measure(
    *,
    title: str,
    body: str,
    ended_by_itself: bool,
    request_text: str,
    language: str,
    reader_name: str,
    interests: Sequence[str],
    keywords: Sequence[Sequence[str]],
    target_words: int,
    target_grade: float,
) -> StoryMeasures:
    """Measure one story. ``ended_by_itself``: its generation ended without hitting a limit."""
    words = count_words(body, language)
    grade = measure_grade(body, language)
    return StoryMeasures(
        name_used=mentions(body, reader_name, language),
        interest_used=any(mentions(body, interest, language) for interest in interests),
        idea_kept=all(any(mentions(body, alt, language) for alt in key) for key in keywords),
        finished=ended_by_itself and ends_on_sentence(body),
        own_title=is_own_title(title, request_text, language),
        words=words,
        target_words=target_words,
        length_ok=abs(words - target_words) <= LENGTH_TOLERANCE * target_words,
        distinct_4grams=distinct_ngrams(body, language, 4),
        reading_grade=grade,
        target_grade=target_grade,
        reading_ok=within_one_grade(grade, target_grade),
    )


def mentions(text: str, word: str, language: str) -> bool:
    """Whether ``word`` appears in ``text``: at the start of a word in English (so that
    "dinosaur" finds "dinosaurs"), anywhere in Japanese (no spaces between words)."""
    word = word.strip()
    if not word:
        return False
    if language == "ja":
        return word in text
    stem = re.escape(_singular(word.lower()))
    return re.search(rf"\b{stem}", text.lower()) is not None


def distinct_ngrams(text: str, language: str, n: int) -> float:
    """Unique n-grams over all n-grams, in words (characters for Japanese); 1.0 = no repeat."""
    seq = units(text, language)
    grams = [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 1.0


def _singular(word: str) -> str:
    """ "dinosaurs" -> "dinosaur", "butterflies" -> "butterfl": a prefix that finds both forms."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
