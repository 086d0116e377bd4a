"""Tones of a story: codes from a fixed list, worded by each client in its language.

The code is also the English adjective the composition gives the model.
Older versions stored the word shown on a chip ("Funny", "おもしろい"):
those words still read as their code, and any other stored word is kept as
it is (it still reaches the model), but new requests take codes only.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, get_args

from pydantic import BeforeValidator, StringConstraints

from storybot.messages import rule_error

ToneCode = Literal["warm", "gentle", "funny", "adventurous", "sleepy", "calm"]
TONES: Final[tuple[str, ...]] = get_args(ToneCode)
DEFAULT_TONE: Final = "warm"

# The words the web UI's tone chips and hints sent before tones were codes.
_LEGACY_WORDS: Final[dict[str, str]] = {
    "やさしい": "gentle",
    "おもしろい": "funny",
    "冒険": "adventurous",
    "ねむくなる": "sleepy",
    "おだやか": "calm",
    "あたたかい": "warm",
}


def tone_code(value: str) -> str:
    """The code of a stored tone: a code or an old chip's word; anything else as it is."""
    stripped = value.strip()
    lowered = stripped.lower()
    if lowered in TONES:
        return lowered
    return _LEGACY_WORDS.get(stripped, stripped)


def _requested(value: object) -> object:
    """A tone asked for: a code (any case, or an old chip's word), else a 422 naming the codes."""
    if not isinstance(value, str):
        return value
    code = tone_code(value)
    if code not in TONES:
        raise rule_error("unknown_tone", tone=value, expected=", ".join(TONES))
    return code


def _stored(value: object) -> object:
    return tone_code(value) if isinstance(value, str) else value


# A tone in a request: one of the codes.
Tone = Annotated[ToneCode, BeforeValidator(_requested)]
# A tone read back from the database: a code, or an older free word kept as it is.
StoredTone = Annotated[
    str, BeforeValidator(_stored), StringConstraints(min_length=1, max_length=40)
]
