"""Measuring text as it streams: words (or their Japanese equivalent) and sentence ends."""

from __future__ import annotations

import re

JAPANESE_CHARACTERS_PER_WORD = 2.0
"""Japanese has no spaces: about two characters carry what one English word does.

A length asked in words is counted in characters for Japanese text with this
ratio (250 words, about 500 characters: a common rule of thumb for
translations between the two).
"""

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_JAPANESE_CHARACTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# A sentence ends at . ! ? (or 。！？) with any closing quotes or brackets after it.
_SENTENCE_END = re.compile(r"(?:[.!?]+|[。！？]+)[\"'”’」』)）]*")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "mt", "vs", "etc"})


def count_words(text: str, language: str) -> float:
    """The length of ``text`` in words; Japanese characters count as half a word each."""
    if language == "ja":
        characters = len(_JAPANESE_CHARACTER.findall(text))
        latin = len(_WORD.findall(_JAPANESE_CHARACTER.sub(" ", text)))
        return characters / JAPANESE_CHARACTERS_PER_WORD + latin
    return float(len(_WORD.findall(text)))


def units(text: str, language: str) -> list[str]:
    """The units repetition is counted in: lowercase words, or characters for Japanese."""
    if language == "ja":
        return [ch for ch in text if not ch.isspace() and ch.isalnum()]
    return [word.lower() for word in _WORD.findall(text)]


def sentence_ends(text: str, start: int = 0) -> list[int]:
    """Offsets just after each complete sentence end in ``text[start:]``.

    An end counts only once something follows it (a space, a newline, or the
    next sentence): a "." that is the last character may still become "...".
    Abbreviations such as "Mr." do not end a sentence.
    """
    ends = []
    for match in _SENTENCE_END.finditer(text, start):
        end = match.end()
        if end >= len(text):
            break
        after = text[end]
        japanese = match.group(0)[0] in "。！？"
        if not japanese and not after.isspace():
            continue
        if match.group(0) == "." and _before_is_abbreviation(text, match.start()):
            continue
        ends.append(end)
    return ends


def ends_on_sentence(text: str) -> bool:
    """Whether the text's last sentence is complete (it ends with its punctuation)."""
    stripped = text.rstrip()
    if not stripped:
        return False
    last = None
    for last in _SENTENCE_END.finditer(stripped):  # noqa: B007 (the last match is wanted)
        pass
    if last is None or last.end() != len(stripped):
        return False
    match = last
    return not (match.group(0) == "." and _before_is_abbreviation(stripped, match.start()))


def _before_is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z]+)$", text[:dot])
    return word is not None and word.group(1).lower() in _ABBREVIATIONS
