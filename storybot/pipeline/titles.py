"""A story's title: asked of the model in a short generation of its own, and checked.

Asked in the story's own instructions ("the first line is the title"), the
built-in model rarely writes one, and a title made from the request ("A
dinosaur who is afraid of the dark") tells the reader nothing new. So the
title is a separate, short generation once the story is written: the story's
own conversation goes on, the story as the model's answer, then "Write a
title", and the model completes a "Title:" line. A candidate that echoes the
request, is generic, or is no title at all is asked again.

The title's conversation starts as the story's does on purpose: llama.cpp
keeps the last prompt it read, and the next story, which starts with the
same system message, finds it ready (a title asked in a conversation of its
own cost the next story's first words about 0.2 s, docs/performance.md).
"""

from __future__ import annotations

import re

from storybot.engines.base import Message
from storybot.pipeline.text_shape import units

TITLE_WORDS = (2, 10)
"""A title has this many words, at least and at most (Japanese: twice as many characters)."""

ECHO_SHARE = 0.6
"""A title that shares this much of its words with the request echoes it."""

_GENERIC = frozenset(
    {
        "a story",
        "the story",
        "story",
        "untitled",
        "title",
        "once upon a time",
        "the end",
        "a bedtime story",
        "a children's story",
        "おはなし",
        "物語",
        "タイトル",
    }
)
_FILLER = frozenset({"a", "an", "the", "of", "and", "to", "in", "on", "who", "is", "for", "with"})
_ASKED = {
    "en": "Write a title for this story in three to six words.",
    "ja": "この物語に、短いタイトルをつけてください。",
}
_TITLE_LABEL = {"en": "Title:", "ja": "タイトル:"}


def title_messages(story_messages: list[Message], story_text: str, language: str) -> list[Message]:
    """The messages that ask for a title: the story's own conversation with the story
    as the model's answer, the request for a title, then an open "Title:"."""
    return [
        *story_messages,
        {"role": "assistant", "content": story_text},
        {"role": "user", "content": _ASKED.get(language, _ASKED["en"])},
        {"role": "assistant", "content": _TITLE_LABEL.get(language, "Title:")},
    ]


def clean_title(candidate: str) -> str:
    """The title in a model's answer: its first line, without quotes, labels or asides."""
    line = candidate.strip().split("\n", 1)[0]
    line = re.sub(r"^\s*(?:title|タイトル|題名)\s*[:：]\s*", "", line, flags=re.I)
    line = re.split(r"\s[|–—-]\s|\s\(|（", line, maxsplit=1)[0]
    line = line.strip().strip("*\"'“”‘’「」『』").strip()
    return line.rstrip(" .,;:、。").strip()[:200]


def is_own_title(title: str, request_text: str, language: str) -> bool:
    """Whether ``title`` is a title of the story's own: the right size, not generic,
    and not the request (or most of its words) echoed."""
    if not title or title.lower() in _GENERIC:
        return False
    low, high = TITLE_WORDS
    size = len(units(title, language))
    if language == "ja":
        low, high = low * 2, high * 2
    if not low <= size <= high:
        return False
    return not echoes(title, request_text, language)


def echoes(title: str, request_text: str, language: str) -> bool:
    """Whether ``title`` repeats the request: contained in it, or most of its words from it."""
    squeeze = re.compile(r"\W+")
    flat_title = squeeze.sub("", title.lower())
    flat_request = squeeze.sub("", request_text.lower())
    if flat_title and flat_title in flat_request:
        return True
    if language == "ja":
        return False
    words = [w for w in units(title, language) if w not in _FILLER]
    asked = {_stem(w) for w in units(request_text, language)}
    if not words:
        return True
    shared = sum(1 for w in words if _stem(w) in asked)
    return shared / len(words) >= ECHO_SHARE


def _stem(word: str) -> str:
    """A crude stem, so that "dinosaurs" and "dinosaur" count as one word."""
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


_TITLE_LINE = re.compile(r"^\s*(?:#+\s*|\*\*)?(?:title|タイトル|題名)\s*[:：]\s*(.+?)\**\s*$", re.I)
_HEADING = re.compile(r"^\s*#+\s*(.+?)\s*$")


def split_title(text: str) -> tuple[str | None, str]:
    """Find a title the model wrote on its first line; return (title, the rest).

    The web UI has the same rule (``web/src/features/stories/utils/split-title.ts``).
    """
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    for pattern in (_TITLE_LINE, _HEADING):
        match = pattern.match(first)
        if match:
            title = match.group(1).strip().strip("*\"'「」").strip()
            if title:
                return title[:200], rest.lstrip("\n")
    return None, text


def fallback_title(request_text: str, reader_name: str | None, language: str) -> str:
    """A title when the model wrote none: the request itself, cut at a word if long."""
    limit = 24 if language == "ja" else 60
    text = " ".join(request_text.split())
    if len(text) > limit:
        cut = text[:limit]
        if language != "ja" and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        text = cut.rstrip(" .,;:!?、。") + "…"
    text = text.rstrip(" .,;:!?、。")
    if text:
        return text[:1].upper() + text[1:]
    return f"A story for {reader_name}" if reader_name else "A story"
