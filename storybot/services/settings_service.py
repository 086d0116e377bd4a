"""Runtime settings kept in the database, as the seed's ``insert_default_config``.

These are what an admin changes while Storybot runs. What the process needs
to start (database URL, secrets, paths, host and port) lives in the
environment instead (:mod:`storybot.config`); no key lives in both.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Self

from flask import g, has_app_context
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import select

from storybot.engines.registry import EngineConfig, default_configs
from storybot.errors import InvalidInput, NotFound, invalid_field, validation_details
from storybot.extensions import db
from storybot.messages import rule_error
from storybot.models import Setting, User, utcnow
from storybot.schemas.accounts import AccountDefaults
from storybot.schemas.common import WHOLE_NUMBER, Patch, key_schema
from storybot.schemas.tones import DEFAULT_TONE, StoredTone, Tone

# An engine's name as a key of the settings' engines, and how many there may be.
MAX_ENGINE_NAME = 64
MAX_ENGINES = 50
EngineKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ENGINE_NAME)]
EngineMap = Annotated[
    dict[EngineKey, EngineConfig],
    Field(
        max_length=MAX_ENGINES,
        json_schema_extra=key_schema(min_length=1, max_length=MAX_ENGINE_NAME),
    ),
]


class RuntimeSettings(BaseModel):
    """Every runtime setting with its default."""

    # Sent whole: in the document, a field with a default is there all the same.
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    engines: dict[str, EngineConfig] = Field(
        default_factory=default_configs,
        description="Language models by name: the built-in model, GGUF files, "
        "OpenAI-compatible servers.",
    )
    default_engine: str = Field(default="local", min_length=1, max_length=64)
    default_length: Literal["short", "medium", "long"] = "medium"
    default_tone: StoredTone = Field(
        default=DEFAULT_TONE, description="A tone code (an older free word is kept as it is)."
    )
    default_language: Literal["en", "ja"] = "en"
    max_queued_stories: int = Field(
        default=20, ge=1, le=1000, description="Stories that may wait to be written, in all."
    )
    max_stories_per_account: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="Stories one account may have waiting or being written at once.",
    )
    resume_stories: bool = Field(
        default=True,
        description="A story whose writer stopped (a crash, a restart) goes on by itself "
        "from its saved text, once; off: it ends interrupted, its text kept.",
    )
    story_retention_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Stories that ended more than this many days ago are deleted (checked "
        "hourly); null keeps them forever.",
    )

    @model_validator(mode="after")
    def _default_engine_exists(self) -> Self:
        if self.default_engine not in self.engines:
            known = ", ".join(sorted(self.engines)) or "none"
            raise rule_error("unknown_default_engine", engine=self.default_engine, known=known)
        return self


class SettingsPatch(Patch):
    """A partial change to the runtime settings; unknown keys and wrong types are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)
    nullable_fields = frozenset({"story_retention_days"})

    engines: EngineMap | None = Field(default=None, description="Replaces the whole engine list.")
    default_engine: str | None = Field(default=None, min_length=1, max_length=64)
    default_length: Literal["short", "medium", "long"] | None = None
    default_tone: Tone | None = None
    default_language: Literal["en", "ja"] | None = None
    max_queued_stories: Annotated[int, Field(ge=1, le=1000), WHOLE_NUMBER] | None = None
    max_stories_per_account: Annotated[int, Field(ge=1, le=1000), WHOLE_NUMBER] | None = None
    resume_stories: bool | None = None
    story_retention_days: Annotated[int, Field(ge=1, le=3650), WHOLE_NUMBER] | None = Field(
        default=None, description="Days to keep ended stories; null: forever."
    )


def insert_default_config() -> bool:
    """Add a row for every setting that has none; idempotent.

    Returns True when the settings table was empty, that is, on a fresh database.
    """
    stored = set(db.session.scalars(select(Setting.key)))
    for key, value in RuntimeSettings().model_dump(mode="json").items():
        if key not in stored:
            db.session.add(Setting(key=key, value=value))
    db.session.commit()
    return not stored


def bootstrap_database() -> None:
    """Fill a database after migrations with the default settings (example prompts come
    with each new account: ``account_service``)."""
    insert_default_config()


_last_read: tuple[list[tuple[str, Any]], RuntimeSettings] | None = None


def get_settings() -> RuntimeSettings:
    """The current runtime settings; stored values over defaults.

    Read once per app context (a request, or one story in the runner), so
    that one piece of work sees one version of them. The rows are read from
    the database each time (another process may have changed them) and
    validated again only when they differ from the last ones read.
    """
    if has_app_context() and "storybot_settings" in g:
        cached: RuntimeSettings = g.storybot_settings
        return cached
    settings = _read_settings()
    if has_app_context():
        g.storybot_settings = settings
    return settings


def _read_settings() -> RuntimeSettings:
    global _last_read
    query = select(Setting.key, Setting.value).order_by(Setting.key)
    rows = [(row.key, row.value) for row in db.session.execute(query)]
    last = _last_read
    if last is not None and last[0] == rows:
        return last[1]
    settings = _validate(rows)
    _last_read = (rows, settings)
    return settings


def _validate(rows: list[tuple[str, Any]]) -> RuntimeSettings:
    values: dict[str, Any] = RuntimeSettings().model_dump(mode="json")
    known = set(values)
    for key, value in rows:
        if key in known:
            values[key] = value
    try:
        return RuntimeSettings.model_validate(values)
    except ValidationError:
        # A row written by a newer or older version that no longer validates
        # falls back to its default rather than taking the server down.
        return RuntimeSettings.model_validate({k: v for k, v in values.items() if _valid(k, v)})


def _valid(key: str, value: Any) -> bool:
    try:
        RuntimeSettings.model_validate({key: value})
    except ValidationError:
        return False
    return True


def update_settings(patch: SettingsPatch) -> RuntimeSettings:
    """Store the given settings and return all of them; the result must be consistent."""
    changes = patch.model_dump(mode="json", exclude_unset=True)
    try:
        RuntimeSettings.model_validate({**get_settings().model_dump(mode="json"), **changes})
    except ValidationError as exc:
        raise InvalidInput(
            str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, "),
            validation_details(exc),
        ) from exc
    for key, value in changes.items():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = json.loads(json.dumps(value))
            row.updated_at = utcnow()
    db.session.commit()
    g.pop("storybot_settings", None)
    return get_settings()


def account_defaults(user_id: int) -> AccountDefaults:
    """An account's own story defaults (null where it follows the global setting).

    A stored value that no longer validates (an engine since removed) is left out.
    """
    user = db.session.get(User, user_id)
    stored = dict(user.defaults or {}) if user else {}
    kept = {}
    for key, value in stored.items():
        try:
            AccountDefaults.model_validate({key: value})
        except ValidationError:
            continue
        kept[key] = value
    return AccountDefaults.model_validate(kept)


def update_account_defaults(user_id: int, patch: AccountDefaults) -> AccountDefaults:
    """Change an account's own defaults; an engine must be one that is configured."""
    changes = patch.model_dump(mode="json", exclude_unset=True)
    engine = changes.get("default_engine")
    if engine is not None and engine not in get_settings().engines:
        known = ", ".join(sorted(get_settings().engines))
        raise InvalidInput(
            f"There is no engine named '{engine}'. Configured engines: {known}.",
            [invalid_field("default_engine", "unknown_default_engine", engine=engine, known=known)],
        )
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    merged = {**account_defaults(user_id).model_dump(mode="json", exclude_none=True), **changes}
    user.defaults = {key: value for key, value in merged.items() if value is not None}
    db.session.commit()
    return account_defaults(user_id)


def story_defaults(user_id: int) -> RuntimeSettings:
    """The settings a story of this account starts from: its own defaults over the global ones."""
    mine = account_defaults(user_id).model_dump(exclude_none=True)
    settings = get_settings()
    if mine.get("default_engine") not in (None, *settings.engines):
        mine.pop("default_engine")
    return settings.model_copy(update=mine)
