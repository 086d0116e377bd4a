"""The raw side of ``stream_overhead.py`` and the records both sides share.

The built-in model run by llama-cpp-python in the benchmark's own process, set
up as Storybot's local engine sets it up, and the per-attempt and paired
figures that the benchmark compares.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from support import QUIET_CORES

from storybot.engines.base import GenerationOptions, Message
from storybot.engines.fair_lock import FairLock
from storybot.engines.local import LoadedModel
from storybot.services.composition import LENGTHS

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

LENGTH: Literal["short"] = "short"
N_CTX = 2048  # LocalEngineConfig's default

Side = Literal["raw", "storybot"]


def max_tokens() -> int:
    """The token budget Storybot gives a short story."""
    return LENGTHS[LENGTH][1]


@dataclass
class Attempt:
    """One generation on one side; times in seconds from the call (raw) or the POST."""

    side: Side
    variant: str  # which Storybot set-up wrote it ("raw" for the raw side)
    round: int
    attempt: int
    finish: str
    prompt_tokens: int
    completion_tokens: int
    first_text: float
    end: float  # the last chunk (raw) or the final event (storybot)
    post: float | None = None  # storybot: the POST's 202 answer
    queue_wait_s: float | None = None  # storybot's own queue_wait_seconds
    first_text_s: float | None = None  # storybot's own first_text_seconds
    noise_cores: float | None = None  # CPU used meanwhile by other processes, in cores
    # (completion tokens so far, time) at every chunk with text (raw: tokens sampled;
    # storybot: the text event's sequence number, one piece per token of the model)
    timeline: list[tuple[int, float]] = field(default_factory=list)

    def time_at(self, tokens: int) -> float:
        """When the chunk (or event) holding completion token number ``tokens`` arrived."""
        for count, at in self.timeline:
            if count >= tokens:
                return at
        return self.end

    def reached(self, tokens: int) -> tuple[int, float] | None:
        """When the stream had at least ``tokens`` tokens: (the count then, the time);
        None when it never got that far.

        Storybot's events come in batches (one per commit, every 100 ms), each
        read at once: the count is the batch's last, whose token came last.
        """
        for index, (count, at) in enumerate(self.timeline):
            if count >= tokens:
                batch = [c for c, later in self.timeline[index:] if later <= at]
                return max(batch), at
        return None


@dataclass
class Pair:
    """A Storybot story and the raw stream of the same round and attempt.

    The speeds are over the first N tokens of both (N: the first of the story's
    text events at or past the window), NaN when the story was shorter.
    """

    variant: str
    round: int
    attempt: int
    tokens: int
    raw_ttft: float
    app_ttft: float
    raw_tps: float
    app_tps: float
    raw_overall: float
    app_overall: float
    quiet: bool


def pair(raw: Attempt, app: Attempt, window: int) -> Pair:
    """Compare a story's first ``window`` tokens (or a few more: a whole text event) with
    the raw stream's first as many.

    Only the story's body streams like the raw side (its closing and title read
    prompts of their own), and the pipeline holds the body's end until about 130
    tokens of a short story (``storybot.pipeline.writer``), so a window of up to
    120 tokens lies in the body.
    """
    quiet = all(a.noise_cores is None or a.noise_cores < QUIET_CORES for a in (raw, app))
    reached = app.reached(window)
    nan = float("nan")
    tokens, raw_tps, app_tps, raw_overall, app_overall = 0, nan, nan, nan, nan
    if reached is not None:
        tokens, app_end = reached
        raw_end = raw.time_at(tokens)
        raw_tps = tokens / (raw_end - raw.first_text)
        app_tps = tokens / (app_end - app.first_text)
        raw_overall, app_overall = tokens / raw_end, tokens / app_end
    return Pair(
        variant=app.variant,
        round=app.round,
        attempt=app.attempt,
        tokens=tokens,
        raw_ttft=raw.first_text,
        app_ttft=app.first_text,
        raw_tps=raw_tps,
        app_tps=app_tps,
        raw_overall=raw_overall,
        app_overall=app_overall,
        quiet=quiet,
    )


class RawModel:
    """The built-in model in this process, set up as Storybot's local engine sets it up."""

    def __init__(self, path: Path) -> None:
        import llama_cpp
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama: Llama = Llama(
            model_path=str(path), n_ctx=N_CTX, n_threads=os.cpu_count(), verbose=False
        )
        eos, bos = self.llama.token_eos(), self.llama.token_bos()
        self.formatter: Jinja2ChatFormatter = Jinja2ChatFormatter(
            template=str(self.llama.metadata["tokenizer.chat_template"]),
            eos_token=self._token_text(eos),
            bos_token=self._token_text(bos),
            stop_token_ids=[eos],
        )
        self.llama.chat_handler = self.formatter.to_chat_handler()
        self.options = GenerationOptions(max_tokens=max_tokens())
        vocab = llama_cpp.llama_model_get_vocab(self.llama.model)
        self.end_tokens = [
            t for t in range(self.llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)
        ]

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llama.detokenize([token], special=True).decode("utf-8", errors="replace")

    def prompt(self, messages: list[Message], opening: str) -> list[int]:
        """The prompt's tokens, as the chat handler tokenizes it, with the assistant's
        turn opened and ``opening`` (the story's first words) in it, as Storybot sends it."""
        formatted = self.formatter(messages=cast(Any, messages))
        text = (formatted.prompt + opening).encode("utf-8")
        return self.llama.tokenize(text, add_bos=not formatted.added_special, special=True)

    def engine_prompt(self, messages: list[Message], opening: str) -> list[int]:
        """The tokens Storybot's local engine renders for a story's body (its own code,
        on this model): what :meth:`prompt` must equal for the two sides to compare."""
        loaded = LoadedModel(self.llama, self.formatter, FairLock(), self.end_tokens)
        body = [*messages, Message(role="assistant", content=opening)]
        return loaded.prompt(body).tokens

    def generate(
        self, messages: list[Message], seed: int, round_number: int, attempt: int, opening: str
    ) -> Attempt:
        """Stream exactly ``max_tokens`` tokens (end tokens banned) and time every chunk."""
        options = self.options
        prompt = self.prompt(messages, opening)
        prompt_tokens = len(prompt)
        llama = self.llama
        timeline: list[tuple[int, float]] = []
        finish = "none"
        started = time.perf_counter()
        chunks = llama.create_completion(
            prompt=prompt,
            stream=True,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            repeat_penalty=options.repeat_penalty,
            seed=seed,
            logit_bias=dict.fromkeys(self.end_tokens, float("-inf")),
        )
        for chunk in cast(Iterator[dict[str, Any]], chunks):
            choice = chunk["choices"][0]
            if choice.get("text"):
                # A token's chunk is yielded before the token is evaluated:
                # the context holds the prompt and the tokens before it.
                sampled = int(llama.n_tokens) - prompt_tokens + 1
                timeline.append((sampled, time.perf_counter() - started))
            if choice.get("finish_reason") is not None:
                finish = str(choice["finish_reason"])
        end = time.perf_counter() - started
        # As storybot.engines.local counts them: on "length" the last sampled
        # token is never evaluated, so the context holds one token less.
        completion = int(llama.n_tokens) - prompt_tokens + (0 if finish == "stop" else 1)
        return Attempt(
            side="raw",
            variant="raw",
            round=round_number,
            attempt=attempt,
            finish=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion,
            first_text=timeline[0][1] if timeline else end,
            end=end,
            timeline=timeline,
        )

    def close(self) -> None:
        """Free the model before interpreter shutdown (spares llama_cpp's noise at exit)."""
        self.llama.close()
