"""The engine registry: configuration, lazy building, caching and rebuilding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from storybot.engines.base import Engine
from storybot.engines.fake import FakeEngine
from storybot.engines.local import LocalEngine, builtin_model_path
from storybot.engines.openai_compat import OpenAICompatEngine
from storybot.engines.registry import (
    EngineRegistry,
    FakeEngineConfig,
    LocalEngineConfig,
    OpenAIEngineConfig,
    UnknownEngine,
    parse_engine_configs,
)

OLLAMA = {"type": "openai", "base_url": "http://127.0.0.1:11434/v1/", "model": "llama3.2"}


@pytest.fixture
def registry() -> Iterator[EngineRegistry]:
    engines = EngineRegistry()
    yield engines
    engines.close()


def test_default_configuration_is_the_builtin_model_as_local(registry: EngineRegistry) -> None:
    engine = registry.get("local")

    assert registry.names() == ["local"]
    assert isinstance(engine, LocalEngine)
    assert engine.path == builtin_model_path()
    assert engine.languages == frozenset({"en"})


def test_engines_are_built_once_and_cached(registry: EngineRegistry) -> None:
    registry.configure({"local": {"type": "local"}, "ollama": OLLAMA})

    first = registry.get("ollama")
    registry.configure({"local": LocalEngineConfig(), "ollama": dict(OLLAMA)})  # equal again

    assert registry.get("ollama") is first
    assert isinstance(first, OpenAICompatEngine)
    assert first.base_url == "http://127.0.0.1:11434/v1"


def test_a_config_change_rebuilds_only_that_engine(registry: EngineRegistry) -> None:
    registry.configure({"local": {"type": "local"}, "ollama": OLLAMA})
    local, ollama = registry.get("local"), registry.get("ollama")

    registry.configure({"local": {"type": "local"}, "ollama": {**OLLAMA, "read_timeout": 120}})

    assert registry.get("local") is local
    rebuilt = registry.get("ollama")
    assert rebuilt is not ollama
    assert isinstance(rebuilt, OpenAICompatEngine)
    assert rebuilt.read_timeout == 120


def test_local_model_path_comes_from_config_then_env_then_builtin(tmp_path: Path) -> None:
    from_env, from_config = tmp_path / "env.gguf", tmp_path / "config.gguf"
    registry = EngineRegistry(model_path=from_env)
    first = registry.get("local")
    assert isinstance(first, LocalEngine)
    assert first.path == from_env

    registry.configure({"local": {"type": "local", "model_path": str(from_config)}})
    assert getattr(registry.get("local"), "path", None) == from_config

    registry.configure({"local": {"type": "local"}}, model_path_env=None)
    assert getattr(registry.get("local"), "path", None) == builtin_model_path()


def test_a_new_model_path_env_rebuilds_the_local_engine(
    registry: EngineRegistry, tmp_path: Path
) -> None:
    before = registry.get("local")

    registry.configure({"local": {"type": "local"}}, model_path_env=str(tmp_path / "x.gguf"))

    assert registry.get("local") is not before


def test_unknown_engine_lists_the_configured_names(registry: EngineRegistry) -> None:
    registry.configure({"local": {"type": "local"}, "ollama": OLLAMA})

    with pytest.raises(UnknownEngine) as info:
        registry.get("vllm")

    assert isinstance(info.value, LookupError)
    assert str(info.value) == "There is no engine named 'vllm'. Configured engines: local, ollama."


def test_a_registered_factory_builds_that_kind(registry: EngineRegistry) -> None:
    fake = FakeEngine("local")
    seen: list[Any] = []

    def factory(name: str, config: Any, model_path_env: str | None) -> Engine:
        seen.append((name, config, model_path_env))
        return fake

    registry.get("local")
    registry.register_factory("local", factory)  # drops the engine already built

    assert registry.get("local") is fake
    assert seen == [("local", LocalEngineConfig(), None)]


def test_the_fake_kind_is_built_from_config(registry: EngineRegistry) -> None:
    registry.configure({"bench": {"type": "fake", "tokens_per_second": 50}})

    engine = registry.get("bench")

    assert isinstance(engine, FakeEngine)
    assert (engine.name, engine.tokens_per_second) == ("bench", 50)


def test_config_rejects_extra_keys() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_engine_configs({"local": {"type": "local", "modelpath": "/x.gguf"}})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_engine_configs({"ollama": {**OLLAMA, "api_key": "sk-secret"}})


@pytest.mark.parametrize(
    "config",
    [
        {"type": "openai", "base_url": "localhost:11434", "model": "m"},
        {"type": "openai", "base_url": "ftp://example.com/v1", "model": "m"},
        {"type": "openai", "base_url": "http://x/v1", "model": ""},
        {"type": "openai", "base_url": "http://x/v1", "model": "m", "read_timeout": 0},
        {"type": "local", "n_ctx": 10},
        {"type": "local", "languages": []},
        {"type": "vllm"},
        {"model_path": "/x.gguf"},
    ],
)
def test_config_rejects_invalid_values(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_engine_configs({"e": config})


def test_config_defaults() -> None:
    parsed = parse_engine_configs({"a": {"type": "local"}, "b": OLLAMA, "c": {"type": "fake"}})

    assert parsed["a"] == LocalEngineConfig(model_path=None, languages=["en"], n_ctx=2048)
    assert parsed["b"] == OpenAIEngineConfig(
        base_url="http://127.0.0.1:11434/v1",
        model="llama3.2",
        api_key_env="OPENAI_API_KEY",
        languages=["en"],
        connect_timeout=5,
        read_timeout=60,
    )
    assert parsed["c"] == FakeEngineConfig(languages=["en", "ja"])
