"""Catching a model that loops, before the repeated text reaches the reader.

Small models fall into loops: a sentence, then the same sentence again, or
one word over and over. The guard watches the text as it streams, in units
(words; characters for Japanese). While the newest units repeat a sequence
already written, their pieces are held back instead of shown; if the repeat
breaks off soon, the held pieces are let through (a story may say "Mia
smiled" twice); if it goes on, it is a loop, and the held text is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from storybot.pipeline.text_shape import units

Verdict = Literal["show", "hold", "loop"]


@dataclass(frozen=True)
class LoopLimits:
    """How long a repeat may be before it counts as a loop, per unit of text."""

    span: int  # units in a sequence compared with what came before
    repeats: int  # repeated sequences in a row that make a loop


# Short spans start holding early, so that little of a repeat is shown before
# it is caught; a brief repeat only delays its words until it breaks off.
WORD_LIMITS = LoopLimits(span=3, repeats=9)  # a repeated run of 11 words
CHARACTER_LIMITS = LoopLimits(span=6, repeats=16)  # a repeated run of 21 characters


@dataclass
class LoopGuard:
    """Decides, piece by piece, whether streamed text may be shown yet."""

    language: str
    held: list[str] = field(default_factory=list)
    _text: str = ""
    _seen: set[tuple[str, ...]] = field(default_factory=set)
    _counted: int = 0  # units of _text whose sequences are in _seen
    _run: int = 0  # repeated sequences in a row, up to the newest unit

    @property
    def limits(self) -> LoopLimits:
        """The limits for this language's units."""
        return CHARACTER_LIMITS if self.language == "ja" else WORD_LIMITS

    def start_from(self, text: str) -> None:
        """Count text written before this guard started (a story being continued)."""
        self._text = text
        self._advance(complete_only=False)
        self._run = 0

    def feed(self, piece: str) -> Verdict:
        """Take the next piece: ``show`` it (with any held before it), ``hold`` it, or ``loop``."""
        self._text += piece
        self._advance(complete_only=True)
        if self._run >= self.limits.repeats:
            return "loop"
        if self._run > 0:
            self.held.append(piece)
            return "hold"
        return "show"

    def release(self) -> list[str]:
        """The pieces held back, to show now (the repeat broke off); the guard holds none after."""
        held, self.held = self.held, []
        return held

    def _advance(self, *, complete_only: bool) -> None:
        # The last unit may be half a word still being written: wait for what follows it.
        all_units = units(self._text, self.language)
        if complete_only and self.language != "ja" and self._text[-1:].isalnum():
            all_units = all_units[:-1]
        span = self.limits.span
        for end in range(max(self._counted, span), len(all_units) + 1):
            sequence = tuple(all_units[end - span : end])
            if sequence in self._seen:
                self._run += 1
            else:
                self._run = 0
                self._seen.add(sequence)
        self._counted = max(self._counted, len(all_units) + 1)
