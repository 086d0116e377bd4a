"""The fixed suite of the story eval: readers, ideas with their key words, and cases."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

Length = Literal["short", "medium", "long"]
Language = Literal["en", "ja"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvalReader(_Frozen):
    """A reader profile of the suite."""

    id: str
    name: str
    age: int
    interests: list[str]
    language: Language
    reading_level: str


class EvalIdea(_Frozen):
    """A story idea in each language, with the key words a story of it must contain."""

    id: str
    text: dict[Language, str]
    # Per language, the key words; each key word is a list of alternatives.
    keywords: dict[Language, list[list[str]]]


class EvalCase(_Frozen):
    """One story to write: a reader, an idea, a length and a language, with a fixed seed."""

    id: str
    reader: str
    idea: str
    length: Length
    language: Language
    seed: int


class Suite(_Frozen):
    """The whole suite, and the ids of the small subset the test suite runs."""

    about: str
    readers: list[EvalReader]
    ideas: list[EvalIdea]
    cases: list[EvalCase]
    subset: list[str]

    def reader(self, case: EvalCase) -> EvalReader:
        """The reader of ``case``."""
        return next(r for r in self.readers if r.id == case.reader)

    def idea(self, case: EvalCase) -> EvalIdea:
        """The idea of ``case``."""
        return next(i for i in self.ideas if i.id == case.idea)

    def select(self, *, subset: bool = False, limit: int | None = None) -> list[EvalCase]:
        """The cases to run: all, or the test subset; at most ``limit``."""
        cases = [c for c in self.cases if c.id in self.subset] if subset else list(self.cases)
        return cases[:limit] if limit is not None else cases


@cache
def load_suite() -> Suite:
    """The suite shipped with Storybot (``storybot/data/eval_suite.json``)."""
    raw = resources.files("storybot").joinpath("data/eval_suite.json").read_text("utf-8")
    return Suite.model_validate(json.loads(raw))
