"""The one small interface every language-model backend implements.

An engine takes chat messages and generation options and yields the story's
text in pieces, then exactly one :class:`Finish`. It knows nothing of the
database, HTTP or stories. A stream that ends without its ``Finish`` is a
failure, never a finished story. When the last message is the assistant's,
the engine writes on from exactly where that text stops (the text is not
repeated in the stream): this is how a story is steered to its ending.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypedDict

from pydantic import BaseModel, ConfigDict, Field


class Message(TypedDict):
    """One chat message, as both llama.cpp and the OpenAI API take it."""

    role: Literal["system", "user", "assistant"]
    content: str


class GenerationOptions(BaseModel):
    """How to sample; engines map these to their own parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens: int = Field(default=400, ge=1, le=8192)
    # Tried on the built-in 135M model: lower temperatures loop on one phrase,
    # a weaker repeat penalty drifts into "wise wise wise".
    temperature: float = Field(default=0.6, ge=0.0, le=2.0)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    repeat_penalty: float = Field(default=1.2, ge=1.0, le=2.0)
    seed: int | None = None
    # Text that ends the generation when the model writes it (not included in the stream).
    stop: tuple[str, ...] = Field(default=(), max_length=4)
    # Tokens the model must write before it may end on its own (engines that can
    # forbid the end token honour it; a server may not).
    min_tokens: int = Field(default=0, ge=0, le=8192)


@dataclass(frozen=True)
class Finish:
    """The end of a successful (or cancelled) stream, with token usage."""

    reason: Literal["stop", "length", "cancelled"]
    prompt_tokens: int
    completion_tokens: int


FailureCode = Literal[
    "unavailable",  # refused connection, DNS, server down
    "timeout",  # no answer, or no first token, in time
    "rate_limited",  # 429
    "server_error",  # 5xx
    "bad_request",  # 4xx other than 429 (wrong model name, bad key ...)
    "bad_response",  # malformed chunk, unexpected shape
    "interrupted",  # the connection dropped mid-stream / ended without finishing
    "model_error",  # the local model failed to load or run
]


class EngineError(Exception):
    """A model failure, with a reason a person understands and a stable code for metrics.

    ``params`` are what the reason is worded with (storybot.messages), so a
    client can word it in its own language.
    """

    def __init__(
        self,
        code: FailureCode,
        reason: str,
        retry_after: float | None = None,
        params: Mapping[str, str | int | float] | None = None,
    ) -> None:
        super().__init__(reason)
        self.code: FailureCode = code
        self.reason = reason
        self.retry_after = retry_after
        self.params: dict[str, str | int | float] = dict(params or {})


@dataclass(frozen=True)
class EngineHealth:
    """Whether an engine can write now, and which models it offers."""

    ok: bool
    detail: str = ""
    models: list[str] = field(default_factory=list)
    # The detail as a message code with params (storybot.messages).
    detail_code: str = ""
    detail_params: dict[str, str | int | float] = field(default_factory=dict)


class Engine(Protocol):
    """A language-model backend."""

    name: str  # the configured name, e.g. "local" or "ollama"
    kind: str  # the implementation: "local", "openai", "fake"
    model: str  # the model it writes with
    languages: frozenset[str]  # languages it writes well, e.g. {"en"}
    # Whether the model itself writes on from a last assistant message (a
    # llama.cpp model does; a server may take it as a finished turn).
    continues_text: bool

    def stream(
        self, messages: Sequence[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | Finish]:
        """Yield text pieces, then exactly one Finish; raise EngineError on failure.

        ``cancel`` is checked between pieces; once it is set the engine stops
        and yields ``Finish(reason="cancelled", ...)``.
        """
        ...

    def health(self) -> EngineHealth:
        """Check that the engine can write (cheaply: no generation)."""
        ...
