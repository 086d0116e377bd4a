"""Server-sent event clients of the benchmarks: a blocking reader and an asyncio viewer.

Storybot's event stream (``GET /api/stories/<id>/events``) writes blocks of
``id:``/``event:``/``data:`` lines separated by a blank line; these clients
record when each event arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from support import HOST

FINAL_EVENTS = frozenset({"done", "incomplete", "failed", "cancelled", "interrupted", "deleted"})
EVENT = re.compile(rb"(?:id: (\d+)\n)?event: (\w+)\n")


def read_sse(response: http.client.HTTPResponse) -> Iterator[tuple[float, str, int | None, str]]:
    """The events of an SSE body as they arrive: (arrival time, event name, id, data)."""
    buffer = b""
    while True:
        data = response.read1(65536)
        arrived = time.perf_counter()
        if not data:
            return
        buffer += data
        while (cut := buffer.find(b"\n\n")) >= 0:
            block, buffer = buffer[:cut], buffer[cut + 2 :]
            event, ident, data_lines = "message", None, []
            for line in block.decode("utf-8").split("\n"):
                key, _, value = line.partition(": ")
                if key == "event":
                    event = value
                elif key == "id":
                    ident = int(value)
                elif key == "data":
                    data_lines.append(value)
            if data_lines:
                yield arrived, event, ident, "\n".join(data_lines)


@dataclass
class Viewer:
    """What one SSE connection received, with arrival times (``time.monotonic``)."""

    arrivals: dict[int, float] = field(default_factory=dict)  # text event id -> arrival
    first_status_at: float | None = None
    final: str | None = None
    error: str | None = None


async def follow(
    port: int, story_id: int, viewer: Viewer, connected: asyncio.Event, token: str
) -> None:
    """One viewer: open the event stream (signed in with ``token``) and record every event
    until the final one."""
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(
            f"GET /api/stories/{story_id}/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        buffer = b""
        headers_done = False
        while viewer.final is None:
            data = await reader.read(65536)
            if not data:
                viewer.error = viewer.error or "closed before the final event"
                return
            now = time.monotonic()
            buffer += data
            if not headers_done:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    continue
                status_line = buffer[: buffer.find(b"\r\n")]
                if b" 200 " not in status_line:
                    viewer.error = status_line.decode(errors="replace")
                    return
                headers_done, buffer = True, buffer[end + 4 :]
            cut = buffer.rfind(b"\n\n")
            if cut < 0:
                continue
            block, buffer = buffer[:cut], buffer[cut + 2 :]
            for match in EVENT.finditer(block):
                ident, name = match.group(1), match.group(2)
                if name == b"text" and ident is not None:
                    viewer.arrivals.setdefault(int(ident), now)
                elif name == b"status" and viewer.first_status_at is None:
                    viewer.first_status_at = now
                    connected.set()
                elif name.decode() in FINAL_EVENTS:
                    viewer.final = name.decode()
    except OSError as exc:
        viewer.error = f"{type(exc).__name__}: {exc}"
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()


# --------------------------------------------------------------------------- one level


async def probe_health(
    port: int, stop: asyncio.Event, results: list[float | None], interval: float, timeout: float
) -> None:
    """``GET /api/health`` every ``interval`` seconds until ``stop``: the seconds each took,
    None for a failure or an answer after ``timeout`` seconds."""
    request = f"GET /api/health HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    while not stop.is_set():
        started = time.monotonic()
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(request)
                await writer.drain()
                answer = await reader.read()
            results.append(time.monotonic() - started if b" 200 " in answer[:20] else None)
        except (TimeoutError, OSError):
            results.append(None)
        finally:
            if writer is not None:
                writer.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
