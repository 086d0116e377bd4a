"""Engine failures and health details worded from the message catalogue."""

from __future__ import annotations

from storybot.engines.base import EngineError, EngineHealth, FailureCode
from storybot.messages import ParamValue, with_cause, word


def engine_error(
    code: FailureCode,
    cause: str | None = None,
    *,
    retry_after: float | None = None,
    **params: ParamValue,
) -> EngineError:
    """An EngineError whose reason is the catalogue's English for ``code``/``cause``."""
    values = with_cause(cause, **params)
    return EngineError(code, word(code, values), retry_after=retry_after, params=values)


def health(
    ok: bool, code: str, *, models: list[str] | None = None, **params: ParamValue
) -> EngineHealth:
    """An EngineHealth whose detail is the catalogue's English for ``code``."""
    return EngineHealth(
        ok=ok,
        detail=word(code, params),
        models=list(models or []),
        detail_code=code,
        detail_params=dict(params),
    )


def failed_health(exc: EngineError) -> EngineHealth:
    """The health of an engine that cannot write, with the failure's code and params."""
    return EngineHealth(ok=False, detail=exc.reason, detail_code=exc.code, detail_params=exc.params)
