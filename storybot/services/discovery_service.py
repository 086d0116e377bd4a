"""Finding OpenAI-compatible servers on this machine, so Settings can offer to add them.

Only loopback is probed, at the ports such servers usually take
(``STORYBOT_DISCOVERY_PORTS``), all at once with a short timeout: a port
with nothing listening refuses at once, so the whole look costs about the
slowest server's answer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2

from storybot.config import Settings
from storybot.schemas.engines import ConfiguredAs, DiscoveredServer, DiscoveryList, ServerKind
from storybot.services.components import components
from storybot.services.settings_service import get_settings

PROBE_TIMEOUT = httpx2.Timeout(1.5, connect=0.5)

# What a server is, from the usual port of each kind and from the ``owned_by``
# its model list reports (Ollama says "library", llama.cpp "llamacpp" ...).
USUAL_PORTS: dict[int, ServerKind] = {
    11434: "ollama",
    8080: "llamacpp",
    1234: "lmstudio",
    8000: "vllm",
}
OWNERS: dict[str, ServerKind] = {
    "library": "ollama",
    "ollama": "ollama",
    "llamacpp": "llamacpp",
    "organization_owner": "lmstudio",
    "vllm": "vllm",
}


def discover() -> DiscoveryList:
    """The servers answering ``GET /v1/models`` on the configured loopback ports."""
    settings: Settings = components().settings
    ports = settings.discovery_ports
    configured = _configured_servers()
    with (
        httpx2.Client(timeout=PROBE_TIMEOUT, trust_env=False) as client,
        ThreadPoolExecutor(max_workers=max(1, len(ports))) as pool,
    ):
        answers = list(pool.map(lambda port: _probe(client, port), ports))
    found = [
        DiscoveredServer(
            base_url=_base_url(port),
            port=port,
            kind=kind,
            models=models,
            configured=configured.get(port, []),
        )
        for port, (kind, models) in zip(ports, answers, strict=True)
        if kind is not None
    ]
    return DiscoveryList(items=found, ports=ports)


def _base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1"


def _probe(client: httpx2.Client, port: int) -> tuple[ServerKind | None, list[str]]:
    """What answers at ``port``: its kind and models, or (None, []) for nothing of the sort."""
    try:
        response = client.get(f"{_base_url(port)}/models")
        body: Any = response.json() if response.status_code == 200 else None
    except (httpx2.HTTPError, ValueError):
        return None, []
    entries = body.get("data") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        return None, []  # something answers, but it is no OpenAI-compatible server
    models = [str(e["id"]) for e in entries if isinstance(e, dict) and e.get("id")]
    owners = {str(e.get("owned_by", "")).lower() for e in entries if isinstance(e, dict)}
    kind = next((OWNERS[o] for o in sorted(owners) if o in OWNERS), None)
    return kind or USUAL_PORTS.get(port, "openai_compatible"), models


def _configured_servers() -> dict[int, list[ConfiguredAs]]:
    """The ``openai`` engines that point at a loopback port, by port."""
    by_port: dict[int, list[ConfiguredAs]] = {}
    for name, config in sorted(get_settings().engines.items()):
        if config.type != "openai":
            continue
        port = _loopback_port(config.base_url)
        if port is not None:
            by_port.setdefault(port, []).append(ConfiguredAs(engine=name, model=config.model))
    return by_port


def _loopback_port(base_url: str) -> int | None:
    url = httpx2.URL(base_url)
    if url.host not in ("127.0.0.1", "localhost", "::1"):
        return None
    return url.port or (443 if url.scheme == "https" else 80)
