"""Process settings, read once from ``STORYBOT_*`` environment variables.

The rule for where a setting lives: the environment holds what the process
needs before it can start (database URL, secrets, paths, host and port); the
database holds what an admin changes while Storybot runs (engines, defaults),
see :mod:`storybot.services.settings_service`. No key lives in both.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal, Self

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# What a browser sends as Origin: a scheme, a host (an IPv6 address in brackets), a port.
_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


class ConfigError(ValueError):
    """The environment does not describe a process that may start."""


class Settings(BaseSettings):
    """Typed process settings; every field is ``STORYBOT_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="STORYBOT_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("instance")
    database_url: str | None = None
    log_file: Path | None = None
    log_level: str = "INFO"
    # Signs session cookies and CSRF tokens. Unset, a random key is made once and kept
    # in <data dir>/secret_key (readable by its owner only).
    secret_key: str | None = None
    # Keys that signed sessions before the current one (comma-separated, newest first):
    # while listed, a browser signed in under an old key stays signed in, and its page's
    # CSRF token still counts. Drop them once a session's lifetime has passed.
    secret_key_fallbacks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    threads: int = Field(default=600, ge=1, le=2000)
    # A gunicorn configuration file (Python) for `storybot serve`: its timeouts and limits
    # over the embedded ones (deploy/gunicorn/gunicorn.conf.py); unset: the embedded ones.
    gunicorn_config: Path | None = None
    # Open story streams allowed at once; None: the threads minus a tenth (at least 8).
    max_streams: int | None = Field(default=None, ge=1)
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Reverse proxies in front of Storybot whose X-Forwarded-For/Proto/Host are believed
    # (nginx: 1); 0 ignores those headers, as anyone can send them.
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    model_path: Path | None = None
    generation_workers: int = Field(default=1, ge=1, le=64)
    # A tuning switch of a story's first words (bench/stream_overhead.py --variants measures
    # it): the "direct start" (a new story, when a runner worker is idle and none waits, is
    # saved running and its engine started by the request itself, skipping the queue's
    # claim; it saves about 9-12 ms of the first words, docs/performance.md).
    direct_start: bool = True
    # Loopback ports where Settings looks for OpenAI-compatible servers: Ollama,
    # the llama.cpp server, LM Studio, vLLM.
    discovery_ports: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [11434, 8080, 1234, 8000]
    )
    # Free disk space a model download must leave behind.
    download_reserve_bytes: int = Field(default=512 * 1_048_576, ge=0)
    # Shared state of every process (rate limits, and the relay that wakes one process's
    # viewers when another writes); unset: each process keeps its own.
    redis_url: str | None = None
    # The start of the relay's channel name in Redis: processes that share one have the
    # same (tests, or two Storybots on one Redis, use their own).
    redis_prefix: str = Field(default="storybot:", min_length=1, max_length=100)
    # Where stories are written: "threads" of each web process (the default without
    # Redis), or "queue": jobs on Redis for `storybot worker` processes (the default
    # with STORYBOT_REDIS_URL), so that no web process loads a model.
    runner: Literal["threads", "queue"] | None = None
    # A port for this process's /metrics of its own (a `storybot worker`, which serves
    # no HTTP otherwise); unset: none.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # The address that port listens on: loopback, unless a Prometheus on another host
    # scrapes workers directly (then this host's address on the monitoring network).
    metrics_host: str = "127.0.0.1"
    # Limits, in the "N per minute; M per hour" form (see storybot.api.throttle).
    rate_limit: str = "1200 per minute"  # every API request, per account or address
    sign_in_rate_limit: str = "20 per minute; 200 per day"  # sign-in attempts per address
    sign_in_email_rate_limit: str = "5 per minute; 50 per day"  # per email, known or not
    story_rate_limit: str = "60 per hour"  # stories asked for, per account

    @field_validator("discovery_ports", mode="before")
    @classmethod
    def _split_ports(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(p) for p in value.replace(" ", "").split(",") if p]
        return value

    @field_validator("discovery_ports")
    @classmethod
    def _valid_ports(cls, value: list[int]) -> list[int]:
        if any(not 1 <= port <= 65535 for port in value):
            raise ValueError("discovery ports must be between 1 and 65535")
        return list(dict.fromkeys(value))

    @field_validator(
        "rate_limit", "sign_in_rate_limit", "sign_in_email_rate_limit", "story_rate_limit"
    )
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a rate limit; write it as '20 per minute; 200 per day'"
            ) from exc
        return value

    @field_validator("secret_key_fallbacks", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("CORS origins must be listed one by one; '*' is not accepted")
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"CORS origin {origin!r} is not an origin: write scheme://host[:port], "
                    "without a path or a trailing slash (http://localhost:3000)"
                )
        return value

    @model_validator(mode="after")
    def _fill_paths(self) -> Self:
        if self.database_url is None:
            self.database_url = f"sqlite:///{(self.data_dir / 'db.sqlite3').resolve()}"
        if self.log_file is None:
            self.log_file = self.data_dir / "logs" / "storybot.log"
        return self

    @property
    def listens_on_loopback(self) -> bool:
        """True when the configured host is reachable from this machine only."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def models_dir(self) -> Path:
        """The folder downloaded GGUF models go to: ``<data dir>/models``."""
        return self.data_dir / "models"

    @property
    def queue_workers(self) -> bool:
        """True when stories are written by `storybot worker` processes (on Redis)."""
        runner = self.runner or ("queue" if self.redis_url else "threads")
        return runner == "queue"

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return str(self.database_url).startswith("sqlite")

    def check_can_start(self) -> None:
        """Raise :class:`ConfigError` when this configuration must not serve requests."""
        if self.env == "production" and not self.secret_key:
            raise ConfigError(
                "STORYBOT_SECRET_KEY is required when STORYBOT_ENV=production; "
                'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        if not self.listens_on_loopback and not self.secret_key:
            raise ConfigError(
                f"Storybot would listen on {self.host}, reachable from other machines, "
                "without STORYBOT_SECRET_KEY: set one (it signs the session cookies; "
                'generate it with: python -c "import secrets; print(secrets.token_hex(32))"), '
                "or listen on 127.0.0.1"
            )
        if self.runner == "queue" and not self.redis_url:
            raise ConfigError(
                "STORYBOT_RUNNER=queue writes stories on `storybot worker` processes, which "
                "take their work from Redis: set STORYBOT_REDIS_URL too"
            )


def secret_key_for(settings: Settings) -> str:
    """The key that signs sessions: the configured one, else one made once and kept in
    ``<data dir>/secret_key``, so that sessions survive a restart."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        # Created readable by its owner only, and never over a key another process made.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key
