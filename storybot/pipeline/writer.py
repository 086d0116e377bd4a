"""Writing one story: the body within a word budget, a closing that ends it, then a title.

What the reader sees streams as it is written and is never taken back:

1. **Body.** The model writes from the composed request. Words are counted
   as they stream; once the story nears its length (``STEER_AT`` of the
   words asked), the body stops at the next sentence end (or, at
   ``LATEST_END``, wherever it is). A loop is cut before the repeat is shown
   (:mod:`storybot.pipeline.loops`). A model that ends the story by itself
   on a complete sentence needs nothing more.
2. **Closing.** The model continues the same text, told to end the story in
   one or two sentences, with a closing phrase ("In the end,") started for
   it; the closing stops after its sentences (or at a new paragraph).
3. **Title**: the one the model wrote on the first line if it is a title of
   its own, else a short generation of its own (:mod:`storybot.pipeline.titles`).

The token limit stays as a safety net: a story that reaches it before its
ending finishes with reason ``length``, and the runner marks it incomplete.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Literal

from storybot.engines.base import Engine, EngineError, Finish, GenerationOptions, Message
from storybot.engines.failures import engine_error
from storybot.pipeline.loops import LoopGuard
from storybot.pipeline.text_shape import count_words, ends_on_sentence, sentence_ends
from storybot.pipeline.titles import clean_title, is_own_title, split_title, title_messages

log = logging.getLogger(__name__)

STEER_AT = 0.8
"""Share of the words asked after which the body stops at the next sentence end."""
LATEST_END = 1.1
"""Share of the words asked at which the body stops even within a sentence."""
LONG_ENOUGH = STEER_AT
"""Share of the words asked before which the model may not end the story by itself."""
TOKENS_PER_WORD = {"en": 1.35, "ja": 2.0}
"""Roughly how many tokens a word takes (a Japanese "word" is two characters)."""
LOOP_RETRIES = 2
"""Times the body is written on after a loop cut before the story is long enough."""
CLOSING_TOKENS = 90
"""Tokens for the closing: two sentences, with room for a long one."""
CLOSING_SENTENCES = 2
TITLE_TOKENS = 20
TITLE_TRIES = 3

CLOSING_PHRASES = {
    "en": ("In the end,", "And so,", "From that day on,"),
    "ja": ("こうして、", "そして、"),
}
_CLOSING_ASK = {
    "en": "The story is nearly long enough: end it in one or two sentences, happily.",
    "ja": "物語はもうすぐ終わりです。一つか二つの文で、やさしく終わらせてください。",
}


@dataclass(frozen=True)
class StoryPlan:
    """What writing one story needs: the composed request and the shape it should take."""

    messages: list[Message]
    options: GenerationOptions  # sampling; max_tokens is the safety net for the whole story
    words: int  # the length asked, in words
    language: str
    request_text: str  # the idea as asked: the title must not echo it
    text_so_far: str = ""  # a continued story's saved text
    opening: str = ""  # the story's first words, started for the model
    needs_title: bool = True


@dataclass(frozen=True)
class Title:
    """The story's title, yielded once the story is written."""

    text: str


StoryItem = str | Title | Finish
Step = Literal["budget", "ended", "loop", "limit", "cancelled"]


class StepCancel(threading.Event):
    """The cancel flag of one generation: the pipeline sets it to cut the step short,
    and it reads as set whenever the story's own flag is (a reader pressed Stop)."""

    _POLL = 0.05

    def __init__(self, story: threading.Event) -> None:
        super().__init__()
        self._story = story

    def is_set(self) -> bool:
        """True once the step is cut or the story cancelled."""
        return super().is_set() or self._story.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until either flag is set (or ``timeout`` passes); True if one is."""
        remaining = timeout
        while not self.is_set():
            if remaining is not None and remaining <= 0:
                return False
            piece = self._POLL if remaining is None else min(self._POLL, remaining)
            super().wait(piece)
            if remaining is not None:
                remaining -= piece
        return True


@dataclass
class _Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, finish: Finish) -> None:
        self.prompt_tokens += finish.prompt_tokens
        self.completion_tokens += finish.completion_tokens


@dataclass
class StoryWriter:
    """Writes one story through ``engine`` (see the module docstring for the steps)."""

    engine: Engine
    plan: StoryPlan
    cancel: threading.Event
    text: str = ""
    usage: _Usage = field(default_factory=_Usage)

    def __post_init__(self) -> None:
        self.text = self.plan.text_so_far

    def write(self) -> Iterator[StoryItem]:
        """Yield the story's new text in pieces, then its Title (if needed), then one Finish."""
        step = yield from self._write_body()
        if step != "cancelled" and not self.cancel.is_set():
            step = yield from self._end(step)
        if step == "cancelled" or self.cancel.is_set():
            yield self._finish("cancelled")
            return
        if self.plan.needs_title:
            yield Title(self._story_title())
        if self.cancel.is_set():  # stopped while the title was written: the story is all there
            yield self._finish("cancelled")
            return
        yield self._finish("length" if step == "limit" else "stop")

    def _write_body(self) -> Generator[str, None, Step]:
        """The body, written on anew after a loop cut early (which leaves it short)."""
        step: Step = "budget"
        # A continued story that is already long enough goes straight to its ending.
        if not self.text or self._words() < STEER_AT * self.plan.words:
            step = yield from self._body()
        for attempt in range(1, LOOP_RETRIES + 1):
            if step != "loop" or self._words() >= STEER_AT * self.plan.words:
                break
            step = yield from self._body(attempt)
        return step

    def _end(self, step: Step) -> Generator[str, None, Step]:
        """The closing, unless the model ended the story on a complete sentence; returns
        "limit" for a story that did not reach its end (whatever stopped it)."""
        if step == "limit" or (step == "ended" and ends_on_sentence(self.text)):
            return step
        step = yield from self._closing()
        # It stopped mid-sentence (a new paragraph, or a sentence longer than the
        # closing's tokens) while the story has tokens left: finish that sentence.
        unfinished = step in ("ended", "limit") and not ends_on_sentence(self.text)
        if unfinished and self._tokens_left() > 0:
            step = yield from self._closing()
        if step != "cancelled" and not ends_on_sentence(self.text):
            return "limit"  # a story cut mid-sentence is not finished
        return step

    def _story_title(self) -> str:
        """The title line the model wrote, if it is a title of the story's own; else one
        asked for (:meth:`_title`)."""
        written, _ = split_title(self.text)
        if written and is_own_title(written, self.plan.request_text, self.plan.language):
            return written
        return self._title()

    def _finish(self, reason: Literal["stop", "length", "cancelled"]) -> Finish:
        return Finish(reason, self.usage.prompt_tokens, self.usage.completion_tokens)

    def _words(self) -> float:
        return count_words(self.text, self.plan.language)

    def _tokens_left(self) -> int:
        return self.plan.options.max_tokens - self.usage.completion_tokens

    def _body(self, attempt: int = 0) -> Generator[str, None, Step]:
        """The body's generation, cut at the budget or a loop; returns why it stopped.

        ``attempt`` counts the times the body is written on after a loop; each
        samples with another seed, so that it does not fall into the same loop.
        """
        messages = list(self.plan.messages)
        # The opening is shown with the model's first words, never alone; only a
        # model that writes on from given words gets one.
        lead = self.plan.opening if not self.text and self.engine.continues_text else ""
        if self.text or lead:
            messages.append({"role": "assistant", "content": self.text + lead})
        tokens = self._tokens_left() - CLOSING_TOKENS
        if tokens <= 0:
            return "limit"
        guard = LoopGuard(self.plan.language)
        guard.start_from(self.text + lead)
        steer_at, latest = STEER_AT * self.plan.words, LATEST_END * self.plan.words
        # A small model often ends a story after a few paragraphs: it may not
        # end before the story has most of its length (where the engine allows).
        short_by = max(0.0, LONG_ENOUGH * self.plan.words - self._words())
        per_word = TOKENS_PER_WORD.get(self.plan.language, TOKENS_PER_WORD["en"])
        seed = self.plan.options.seed
        options = replace_options(
            self.plan.options,
            max_tokens=tokens,
            min_tokens=min(tokens, round(short_by * per_word)),
            seed=None if seed is None else seed + 1000 * attempt,
        )
        step = StepCancel(self.cancel)
        stopped: Step | None = None
        for item in self._generate(messages, tokens, step, options):
            if isinstance(item, Finish):
                if stopped is not None:
                    return stopped
                if item.reason == "cancelled":
                    return "cancelled"
                if item.reason == "length":
                    return "limit" if self._tokens_left() <= CLOSING_TOKENS else "budget"
                return "ended"
            if stopped is not None:
                continue  # the step is being cut: nothing more is shown
            verdict = guard.feed(item)
            if verdict == "loop":
                log.info("the model looped; the repeat was cut before it was shown")
                stopped = "loop"
                step.set()
                continue
            if verdict == "hold":
                continue
            for piece in [*guard.release(), item]:
                if lead:
                    piece, lead = lead + piece, ""
                shown, done = self._cut_at_budget(piece, steer_at, latest)
                if shown:
                    self.text += shown
                    yield shown
                if done:
                    stopped = "budget"
                    step.set()
                    break
        raise engine_error("interrupted", "stopped")

    def _cut_at_budget(self, piece: str, steer_at: float, latest: float) -> tuple[str, bool]:
        """The part of ``piece`` to show, and whether the body ends with it."""
        before = len(self.text)
        text = self.text + piece
        words = count_words(text, self.plan.language)
        if words < steer_at:
            return piece, False
        # A sentence end counts once the next character is there, so it may
        # lie just before this piece: then none of the piece is shown.
        for end in sentence_ends(text, max(0, before - 3)):
            if end >= before and count_words(text[:end], self.plan.language) >= steer_at:
                return text[before:end], True
        return piece, words >= latest

    def _closing(self) -> Generator[str, None, Step]:
        """Continue the same text to its end: one or two sentences, with a closing
        phrase started for the model when the text ends on a complete sentence."""
        messages = _with_note(self.plan.messages, _CLOSING_ASK, self.plan.language)
        lead = ""
        if ends_on_sentence(self.text):
            lead = _paragraph(self.text)[len(self.text) :] + self._closing_phrase()
        messages.append({"role": "assistant", "content": self.text + lead})
        tokens = min(CLOSING_TOKENS, self._tokens_left())
        if tokens <= 0:
            return "limit"
        # One sentence when the story already has its length, else up to two.
        long_enough = self._words() >= self.plan.words
        wanted = CLOSING_SENTENCES if lead and not long_enough else 1
        start = len(self.text) + len(lead)
        step = StepCancel(self.cancel)
        stopped = False
        for item in self._generate(messages, tokens, step):
            if isinstance(item, Finish):
                if stopped or (item.reason == "stop" and ends_on_sentence(self.text)):
                    return "ended"
                return "cancelled" if item.reason == "cancelled" else "limit"
            if stopped:
                continue
            if lead:  # shown with the model's first words, never alone
                words = item.lstrip()
                if not words:
                    continue
                item, lead = lead + ("" if self.plan.language == "ja" else " ") + words, ""
            text = self.text + item
            ends = sentence_ends(text, start)
            # The ending is one paragraph: a new one would be the model starting over.
            paragraph = text.find("\n", start)
            if paragraph > start and not text[start:paragraph].isspace():
                ends = [e for e in ends if e <= paragraph] + [paragraph]
                wanted = min(wanted, len(ends))
            if len(ends) >= wanted:
                item = text[len(self.text) : ends[wanted - 1]]
                stopped = True
                step.set()
            if item:
                self.text += item
                yield item
        raise engine_error("interrupted", "stopped")

    def _closing_phrase(self) -> str:
        phrases = CLOSING_PHRASES.get(self.plan.language, CLOSING_PHRASES["en"])
        seed = self.plan.options.seed if self.plan.options.seed is not None else len(self.text)
        return phrases[seed % len(phrases)]

    def _title(self) -> str:
        """A title of the story's own, asked up to ``TITLE_TRIES`` times; never raises.

        Without one (no candidate passed, or the engine failed) the title is
        empty and the story is named after its request when it is saved: the
        story is written, and that is what counts.
        """
        language = self.plan.language
        messages = title_messages(self.plan.messages, self.text, language)
        for attempt in range(TITLE_TRIES):
            seed = None if self.plan.options.seed is None else self.plan.options.seed + attempt
            options = replace_options(
                self.plan.options, max_tokens=TITLE_TOKENS, stop=("\n",), seed=seed
            )
            answer = ""
            try:
                cancel = StepCancel(self.cancel)
                for item in self._generate(messages, TITLE_TOKENS, cancel, options):
                    if isinstance(item, str):
                        answer += item
            except EngineError as exc:
                log.warning("the title could not be written: %s", exc.reason)
                break
            if self.cancel.is_set():
                break
            title = clean_title(answer)
            if is_own_title(title, self.plan.request_text, language):
                return title
        return ""

    def _generate(
        self,
        messages: list[Message],
        max_tokens: int,
        cancel: threading.Event,
        options: GenerationOptions | None = None,
    ) -> Iterator[str | Finish]:
        """The engine's stream for one step, counting its usage; closed when left."""
        options = options or replace_options(self.plan.options, max_tokens=max_tokens)
        stream = self.engine.stream(messages, options, cancel)
        try:
            for item in stream:
                if isinstance(item, Finish):
                    self.usage.add(item)
                yield item
                if isinstance(item, Finish):
                    return
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


def write_story(engine: Engine, plan: StoryPlan, cancel: threading.Event) -> Iterator[StoryItem]:
    """Write the story of ``plan`` with ``engine``: text pieces, its Title, then one Finish."""
    return StoryWriter(engine, plan, cancel).write()


def replace_options(options: GenerationOptions, **changes: object) -> GenerationOptions:
    """A copy of ``options`` with ``changes``, validated."""
    return GenerationOptions.model_validate({**options.model_dump(), **changes})


def _paragraph(text: str) -> str:
    """``text`` ending with a paragraph break, for a new step to start on."""
    return text if text.endswith("\n") else text.rstrip(" ") + "\n\n"


def _with_note(messages: list[Message], notes: dict[str, str], language: str) -> list[Message]:
    """The messages with a short instruction added to the (last) user message."""
    note = notes.get(language, notes["en"])
    out = list(messages)
    for index in range(len(out) - 1, -1, -1):
        if out[index]["role"] == "user":
            out[index] = {"role": "user", "content": out[index]["content"] + "\n" + note}
            break
    return out
