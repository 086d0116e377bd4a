"""Request and response models of engines: the configured ones, new ones, servers found."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from storybot.engines.registry import EngineConfig
from storybot.schemas.common import Strict

EngineName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]{0,63}$"),
]
Language = Literal["en", "ja"]
ServerKind = Literal["ollama", "llamacpp", "lmstudio", "vllm", "openai_compatible"]


class EngineOut(BaseModel):
    """A configured engine."""

    name: str
    kind: str
    model: str
    languages: list[str]
    default: bool
    ok: bool
    detail: str = Field(description="The health check's finding, in English.")
    detail_code: str = Field(description="The detail as a message code (docs/api.md, 'Messages').")
    detail_params: dict[str, str | int | float] = Field(
        description="What the detail is worded with."
    )
    models: list[str]


class EngineList(BaseModel):
    """Every configured engine."""

    items: list[EngineOut]


class EngineAdd(Strict):
    """One engine to add beside the configured ones."""

    name: EngineName | None = Field(
        default=None, description="Its name; left out, one is made from the model's name."
    )
    config: EngineConfig
    make_default: bool = Field(default=False, description="Write new stories with it.")


class ConfiguredAs(BaseModel):
    """An engine already configured for a server that was found."""

    engine: str
    model: str


class DiscoveredServer(BaseModel):
    """An OpenAI-compatible server answering on this machine."""

    base_url: str = Field(examples=["http://127.0.0.1:11434/v1"])
    port: int
    kind: ServerKind = Field(description="A guess of what it is, from its answer and its port.")
    models: list[str]
    configured: list[ConfiguredAs] = Field(
        description="The engines that already use this server, with their models."
    )


class DiscoveryList(BaseModel):
    """The servers found, and the ports that were tried."""

    items: list[DiscoveredServer]
    ports: list[int]
