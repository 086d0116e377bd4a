"""Furigana for a story: the reader's setting (or one asked for) applied to its body."""

from __future__ import annotations

import re

from storybot.extensions import db
from storybot.models import Profile, Story, StoryStatus
from storybot.quality.furigana import (
    FURIGANA_MODES,
    FuriganaMode,
    FuriganaSetting,
    annotate,
    kanji_grade_for_age,
)
from storybot.schemas.stories import FuriganaQuery, RubySegment, StoryFurigana

# Where a sentence ends: its stop and any closing quotes or brackets after it, or a line.
_SENTENCE_END = re.compile(r"[。．！？!?…][」』）)”’]*|\n")


def _is_japanese(language: str) -> bool:
    return language.split("-")[0].lower() == "ja"


def _mode(value: str) -> FuriganaMode:
    for mode in FURIGANA_MODES:
        if mode == value:
            return mode
    return "none"  # a value saved before the modes existed counts as "as written"


def setting_for(story: Story, query: FuriganaQuery | None = None) -> FuriganaSetting:
    """How the story's kanji are shown: the query's choice, else the reader's profile.

    ``above_grade`` without a grade takes the grade of the reader's age. Stories in other
    languages, and stories of a deleted reader asked without a mode, are shown as written.
    """
    if not _is_japanese(story.language):
        return FuriganaSetting()
    profile = db.session.get(Profile, story.profile_id) if story.profile_id else None
    mode: FuriganaMode = "none"
    if query is not None and query.furigana is not None:
        mode = query.furigana
    elif profile is not None:
        mode = _mode(profile.furigana)
    grade = query.kanji_grade if query is not None else None
    if grade is None and profile is not None:
        grade = profile.kanji_grade
        if grade is None and profile.age is not None:
            grade = kanji_grade_for_age(profile.age)
    return FuriganaSetting(mode, grade if mode == "above_grade" else None)


def complete_part(body: str) -> str:
    """The body up to the end of its last complete sentence (all of it if it ends one)."""
    ends = [match.end() for match in _SENTENCE_END.finditer(body)]
    return body[: ends[-1]] if ends else ""


def story_furigana(story: Story, body: str, query: FuriganaQuery) -> StoryFurigana:
    """The segments of ``body`` (the story's text without its title) for ruby.

    While the story is written only its complete sentences are analysed, so a reading is
    never given to half a word that the next piece completes.
    """
    setting = setting_for(story, query)
    complete = story.status not in (StoryStatus.QUEUED, StoryStatus.RUNNING)
    source = body if complete else complete_part(body)
    segments = annotate(source, setting.mode, setting.kanji_grade)
    return StoryFurigana(
        furigana=setting.mode,
        kanji_grade=setting.kanji_grade,
        segments=[RubySegment(text=s.text, reading=s.reading) for s in segments],
        source_length=len(source),
        complete=complete,
    )
