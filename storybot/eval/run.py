"""Writing the suite's stories: by Storybot's pipeline, and by naive prompting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from storybot.engines.base import Engine, Finish, GenerationOptions, Message
from storybot.eval.measures import StoryMeasures, measure
from storybot.eval.suite import EvalCase, Suite
from storybot.pipeline.titles import split_title
from storybot.pipeline.writer import StoryPlan, Title, write_story
from storybot.quality.reading_level import target_grade
from storybot.services.composition import LENGTHS, compose

Method = Literal["storybot", "naive"]
METHODS: tuple[Method, ...] = ("naive", "storybot")


@dataclass(frozen=True)
class StoryResult:
    """One story of the eval: what was written, how fast, and its measures."""

    case: str
    method: Method
    language: str
    length: str
    title: str
    text: str
    finish_reason: str
    seconds_to_first_text: float | None
    tokens_per_second: float | None
    completion_tokens: int
    measures: StoryMeasures


def naive_request(suite: Suite, case: EvalCase) -> list[Message]:
    """The bare request a parent would type into a chat: no system message, no steps."""
    reader, idea = suite.reader(case), suite.idea(case)
    words = LENGTHS[case.length][0]
    loves = ", ".join(reader.interests)
    if case.language == "ja":
        ask = (
            f"{reader.name}（{reader.age}さい、すきなもの：{loves}）のために、"
            f"「{idea.text['ja']}」のおはなしを、{words * 2}文字くらいで書いてください。"
        )
    else:
        ask = (
            f"Write a story of about {words} words for {reader.name}, who is {reader.age} "
            f"and loves {loves}: {idea.text['en']}"
        )
    return [{"role": "user", "content": ask}]


def storybot_plan(suite: Suite, case: EvalCase) -> StoryPlan:
    """The plan Storybot makes for the case: its composition and the same plan the runner uses."""
    reader, idea = suite.reader(case), suite.idea(case)
    request_text = idea.text[case.language]
    composition = compose(
        request_text=request_text,
        reader=reader.model_dump(),
        language=case.language,
        length=case.length,
        tone="warm",
        moral=None,
    )
    return StoryPlan(
        messages=composition.messages,
        options=GenerationOptions(max_tokens=composition.max_tokens, seed=case.seed),
        words=composition.words,
        language=case.language,
        request_text=request_text,
        opening=composition.opening,
    )


def write_case(engine: Engine, suite: Suite, case: EvalCase, method: Method) -> StoryResult:
    """Write and measure one case with one method."""
    plan = storybot_plan(suite, case)
    cancel = threading.Event()
    if method == "storybot":
        items: Iterator[object] = iter(write_story(engine, plan, cancel))
    else:
        items = iter(engine.stream(naive_request(suite, case), plan.options, cancel))
    started = time.monotonic()
    first: float | None = None
    pieces: list[str] = []
    title = ""
    finish = Finish("stop", 0, 0)
    for item in items:
        if isinstance(item, str):
            first = first if first is not None else time.monotonic()
            pieces.append(item)
        elif isinstance(item, Title):
            title = item.text
        elif isinstance(item, Finish):
            finish = item
    seconds = time.monotonic() - started
    written_title, body = split_title("".join(pieces))
    title = title or written_title or ""
    reader, idea = suite.reader(case), suite.idea(case)
    return StoryResult(
        case=case.id,
        method=method,
        language=case.language,
        length=case.length,
        title=title,
        text=body,
        finish_reason=finish.reason,
        seconds_to_first_text=round(first - started, 3) if first is not None else None,
        tokens_per_second=(
            round(finish.completion_tokens / seconds, 1) if finish.completion_tokens else None
        ),
        completion_tokens=finish.completion_tokens,
        measures=measure(
            title=title,
            body=body,
            ended_by_itself=finish.reason == "stop",
            request_text=plan.request_text,
            language=case.language,
            reader_name=reader.name,
            interests=reader.interests,
            keywords=idea.keywords[case.language],
            target_words=plan.words,
            target_grade=target_grade(reader.age, reader.reading_level),
        ),
    )


def run_eval(
    engine: Engine, suite: Suite, cases: Iterable[EvalCase], methods: Iterable[Method] = METHODS
) -> Iterator[StoryResult]:
    """Write every case the engine can (its languages) with each method, one after another."""
    for case in cases:
        if case.language not in engine.languages:
            continue
        for method in methods:
            yield write_case(engine, suite, case, method)
