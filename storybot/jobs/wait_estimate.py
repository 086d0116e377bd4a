"""How long a queued story waits: the work ahead of it over the measured speed.

Each engine's speed is measured on its last finished stories: the tokens
they wrote over the seconds from start to end (first-token latency and
titles included), and the share of their ``max_tokens`` they used (a story
ends at its last sentence, well before its limit). A story ahead is expected
to write that share of its own ``max_tokens``; the ones running have done
part of theirs already. The workers share the work. There is no estimate
(None) until a story of the engines ahead has been measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import JSON, func, select, type_coerce

from storybot.extensions import db
from storybot.models import Story, StoryStatus

SAMPLE = 20  # the finished stories of an engine its speed is measured on

_REQUEST = type_coerce(Story.request, JSON)
# The tokens a story may write (its request's max_tokens), read in SQL on SQLite and PostgreSQL.
MAX_TOKENS = _REQUEST["max_tokens"].as_integer()
# A story continued or resumed counts its tokens over runs but its seconds
# from its last start: it would look faster than it was.
_ONE_RUN = (func.coalesce(_REQUEST["continued"].as_integer(), 0) == 0) & (
    func.coalesce(_REQUEST["resumed"].as_integer(), 0) == 0
)


@dataclass(frozen=True)
class Work:
    """A story to be written before a queued one."""

    engine: str
    tokens: int | None  # the most it may write (its max_tokens); None when not known
    running_for: float = 0.0  # seconds it has been written for (0 while queued)


@dataclass(frozen=True)
class Speed:
    """An engine's measured pace."""

    tokens_per_second: float
    tokens_per_story: float  # what a story wrote on average (for one of unknown max_tokens)
    share_used: float = 1.0  # the share of its max_tokens a story wrote on average

    def seconds(self, max_tokens: int | None) -> float:
        """How long a story with this ``max_tokens`` is expected to take."""
        tokens = max_tokens * self.share_used if max_tokens else self.tokens_per_story
        return tokens / self.tokens_per_second


def measured_speeds(engines: Iterable[str]) -> dict[str, Speed]:
    """The speed of each engine on its last :data:`SAMPLE` finished stories
    (an engine with none is left out)."""
    speeds: dict[str, Speed] = {}
    for engine in sorted(set(engines)):
        rows = db.session.execute(
            select(
                Story.completion_tokens,
                MAX_TOKENS.label("max_tokens"),
                Story.started_at,
                Story.finished_at,
            )
            .where(
                Story.engine == engine,
                Story.status.in_((StoryStatus.DONE, StoryStatus.INCOMPLETE)),
                Story.completion_tokens > 0,
                Story.started_at.is_not(None),
                Story.finished_at.is_not(None),
                _ONE_RUN,
            )
            .order_by(Story.id.desc())
            .limit(SAMPLE)
        ).all()
        tokens = sum(row.completion_tokens for row in rows)
        seconds = sum((row.finished_at - row.started_at).total_seconds() for row in rows)
        if not rows or seconds <= 0:
            continue
        capped = [row for row in rows if row.max_tokens]
        share = (
            sum(row.completion_tokens for row in capped) / sum(row.max_tokens for row in capped)
            if capped
            else 1.0
        )
        speeds[engine] = Speed(tokens / seconds, tokens / len(rows), share)
    return speeds


def estimate_wait(ahead: Sequence[Work], speeds: Mapping[str, Speed], workers: int) -> int | None:
    """Seconds until a worker is free for the story behind ``ahead``, rounded up.

    An engine not measured yet takes the pace of the measured ones (on average);
    with none measured there is no estimate.
    """
    if not ahead:
        return 0
    if not speeds:
        return None
    measured = speeds.values()
    average = Speed(
        sum(s.tokens_per_second for s in measured) / len(measured),
        sum(s.tokens_per_story for s in measured) / len(measured),
        sum(s.share_used for s in measured) / len(measured),
    )
    seconds = 0.0
    for work in ahead:
        expected = speeds.get(work.engine, average).seconds(work.tokens)
        seconds += max(0.0, expected - work.running_for)
    return math.ceil(seconds / max(1, workers))
