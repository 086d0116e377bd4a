"""Engines by name, built lazily from configuration and kept while it does not change.

Each engine's configuration is a pydantic model; ``type`` picks the kind. An
engine is rebuilt only when its own configuration changes, so the built-in
model (shared per file anyway, see :mod:`storybot.engines.local`) is never
loaded twice and an unrelated settings change costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
)

from storybot.engines.base import Engine
from storybot.schemas.common import WHOLE_NUMBER


def _type_required(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """In the document, ``type`` is required: EngineConfig picks the model by it."""
    schema["required"] = ["type", *schema.get("required", [])]


# A language code an engine writes ("en", "ja" ...), and how many one engine may list.
LanguageCode = Annotated[str, StringConstraints(min_length=1, max_length=16)]
MAX_LANGUAGES = 20


class LocalEngineConfig(BaseModel):
    """A GGUF model run in-process (the built-in model unless ``model_path`` is set)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, json_schema_extra=_type_required
    )

    type: Literal["local"] = "local"
    model_path: str | None = Field(default=None, max_length=4096)
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"], min_length=1, max_length=MAX_LANGUAGES
    )
    n_ctx: Annotated[int, Field(ge=256, le=131072), WHOLE_NUMBER] = 2048
    # CPU priority of the generating threads (Linux): above 0 the web server's
    # short tasks go first while a story is written, at the model's expense.
    niceness: Annotated[int, Field(ge=0, le=19), WHOLE_NUMBER] = 0
    # llama.cpp's threads; None: every core (fastest on a quiet machine).
    threads: Annotated[int, Field(ge=1, le=256), WHOLE_NUMBER] | None = None


class OpenAIEngineConfig(BaseModel):
    """A model behind an OpenAI-compatible server (Ollama, vLLM, llama.cpp server, OpenAI)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, json_schema_extra=_type_required
    )

    type: Literal["openai"] = "openai"
    base_url: str = Field(max_length=2000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")
    model: str = Field(min_length=1, max_length=200)
    api_key_env: str = Field(default="OPENAI_API_KEY", max_length=128)
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"], min_length=1, max_length=MAX_LANGUAGES
    )
    connect_timeout: float = Field(default=5.0, gt=0, le=600)
    read_timeout: float = Field(default=60.0, gt=0, le=3600)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Accept only http(s) URLs; keep the string as written, minus a trailing slash."""
        TypeAdapter(AnyHttpUrl).validate_python(value)
        return value.rstrip("/")


class FakeEngineConfig(BaseModel):
    """The scripted engine, for tests and benchmarks."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, json_schema_extra=_type_required
    )

    type: Literal["fake"] = "fake"
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en", "ja"], min_length=1, max_length=MAX_LANGUAGES
    )
    tokens_per_second: float | None = Field(default=None, gt=0, le=1_000_000)


EngineConfig = Annotated[
    LocalEngineConfig | OpenAIEngineConfig | FakeEngineConfig, Field(discriminator="type")
]
EngineFactory = Callable[[str, Any, str | None], Engine]
"""Builds an engine from (name, config, STORYBOT_MODEL_PATH value)."""

_CONFIGS: TypeAdapter[dict[str, EngineConfig]] = TypeAdapter(dict[str, EngineConfig])


def default_configs() -> dict[str, EngineConfig]:
    """The configuration with no settings: the built-in model, named "local"."""
    return {"local": LocalEngineConfig()}


def parse_engine_configs(raw: Mapping[str, Any]) -> dict[str, EngineConfig]:
    """Validate engine configurations given as plain data (raises pydantic.ValidationError)."""
    return _CONFIGS.validate_python(dict(raw))


class UnknownEngine(LookupError):
    """No engine of that name is configured."""

    def __init__(self, name: str, configured: list[str]) -> None:
        known = ", ".join(sorted(configured)) or "none"
        super().__init__(f"There is no engine named '{name}'. Configured engines: {known}.")
        self.name = name
        self.configured = sorted(configured)


def _build_local(name: str, config: LocalEngineConfig, model_path_env: str | None) -> Engine:
    from storybot.engines.local import LocalEngine

    return LocalEngine(
        config.model_path or model_path_env,
        name=name,
        languages=config.languages,
        n_ctx=config.n_ctx,
        niceness=config.niceness,
        threads=config.threads,
    )


def _build_openai(name: str, config: OpenAIEngineConfig, model_path_env: str | None) -> Engine:
    from storybot.engines.openai_compat import OpenAICompatEngine

    return OpenAICompatEngine(
        name,
        config.base_url,
        config.model,
        api_key_env=config.api_key_env,
        languages=config.languages,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
    )


def _build_fake(name: str, config: FakeEngineConfig, model_path_env: str | None) -> Engine:
    from storybot.engines.fake import FakeEngine

    return FakeEngine(name, languages=config.languages, tokens_per_second=config.tokens_per_second)


@dataclass(frozen=True)
class _Built:
    config: EngineConfig
    model_path_env: str | None
    engine: Engine


class EngineRegistry:
    """Engines by configured name; thread-safe."""

    def __init__(
        self,
        configs: Mapping[str, EngineConfig | Mapping[str, Any]] | None = None,
        *,
        model_path: str | Path | None = None,
    ) -> None:
        """Start with ``configs`` (default: the built-in model as "local").

        ``model_path`` is the STORYBOT_MODEL_PATH value: the model of local
        engines whose configuration names none.
        """
        self._lock = threading.Lock()
        self._factories: dict[str, EngineFactory] = {
            "local": _build_local,
            "openai": _build_openai,
            "fake": _build_fake,
        }
        self._configs: dict[str, EngineConfig] = {}
        self._model_path_env = str(model_path) if model_path else None
        self._built: dict[str, _Built] = {}
        self._raw: dict[str, Any] | None = None  # the configuration last given, as given
        self.configure(configs if configs is not None else default_configs())

    def register_factory(self, kind: str, factory: EngineFactory) -> None:
        """Build engines of ``kind`` (a config ``type``) with ``factory`` from now on.

        Tests use it to swap in a :class:`~storybot.engines.fake.FakeEngine`.
        Engines of that kind already built are dropped.
        """
        with self._lock:
            self._factories[kind] = factory
            stale = [name for name, built in self._built.items() if built.config.type == kind]
            for name in stale:
                _close(self._built.pop(name).engine)

    def configure(
        self,
        configs: Mapping[str, EngineConfig | Mapping[str, Any]],
        model_path_env: str | Path | Literal["keep"] | None = "keep",
    ) -> None:
        """Replace the configuration; only engines whose configuration changed are rebuilt.

        ``model_path_env`` updates the STORYBOT_MODEL_PATH value; "keep" (the
        default) keeps the one given before.
        """
        if model_path_env == "keep" and configs == self._raw:
            return  # the same configuration as last time: nothing to parse or rebuild
        parsed = parse_engine_configs(configs)
        with self._lock:
            self._raw = dict(configs)
            if model_path_env != "keep":
                self._model_path_env = str(model_path_env) if model_path_env else None
            self._configs = parsed
            for name, built in list(self._built.items()):
                current = parsed.get(name)
                if current != built.config or built.model_path_env != self._model_path_env:
                    _close(self._built.pop(name).engine)

    def names(self) -> list[str]:
        """The configured engine names."""
        with self._lock:
            return list(self._configs)

    def config(self, name: str) -> EngineConfig:
        """The configuration of engine ``name``; raises UnknownEngine."""
        with self._lock:
            if name not in self._configs:
                raise UnknownEngine(name, list(self._configs))
            return self._configs[name]

    def get(self, name: str) -> Engine:
        """The engine called ``name``, built on first use; raises UnknownEngine."""
        with self._lock:
            config = self._configs.get(name)
            if config is None:
                raise UnknownEngine(name, list(self._configs))
            built = self._built.get(name)
            if built is None:
                factory = self._factories[config.type]
                engine = factory(name, config, self._model_path_env)
                built = self._built[name] = _Built(config, self._model_path_env, engine)
            return built.engine

    def close(self) -> None:
        """Close every built engine (their connections); they are rebuilt on next use."""
        with self._lock:
            for built in self._built.values():
                _close(built.engine)
            self._built.clear()


def _close(engine: Engine) -> None:
    """Close a dropped engine; engines finish their running streams first."""
    close = getattr(engine, "close", None)
    if callable(close):
        close()
