"""A scripted fake OpenAI-compatible server, for fault injection over real HTTP.

It listens on 127.0.0.1 (a free port) in a background thread and serves
``GET /v1/models`` and ``POST /v1/chat/completions`` (streamed as SSE in the
OpenAI chunk format, with the usage chunk when ``include_usage`` is asked).
Each request takes the next enqueued :class:`Reply`; the default is a short
story. Use it from any test folder::

    # in a conftest.py (or the test module): make the fixtures available
    from tests.engines.fake_openai_server import fake_openai, make_openai_engine

    def test_something(fake_openai, make_openai_engine):
        fake_openai.enqueue(Reply(pieces=["Once ", "upon"], drop_after=1))
        engine = make_openai_engine(fake_openai)  # or an engine config with
        ...                                       # base_url=fake_openai.base_url
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from storybot.engines.openai_compat import OpenAICompatEngine

STORY = ["Title: The Brave Snail\n\n", "Once upon a time, ", "a snail ", "crossed the garden."]


@dataclass
class Reply:
    """How the server answers one chat completion request (defaults: a normal story)."""

    pieces: list[str] = field(default_factory=lambda: list(STORY))
    finish_reason: str | None = "stop"  # None: no chunk ever carries a finish_reason
    send_done: bool = True  # False: end the body cleanly without "data: [DONE]"
    usage: bool = True  # send the usage chunk when the request asks for it
    first_delay: float = 0.0  # headers at once, then silence before the first chunk
    piece_delay: float = 0.0  # silence before each content chunk
    drop_after: int | None = None  # close the socket after N content chunks
    malformed_after: int | None = None  # send a chunk that is not JSON after N pieces
    error_after: int | None = None  # send an in-stream error event after N pieces
    stall_after: int | None = None  # fall silent after N pieces (until the server stops)
    hang: bool = False  # read the request, never answer (until the server stops)
    status: int = 200  # an error status answers with an OpenAI error body instead
    error_message: str = "The server is having a bad day."
    retry_after: str | None = None  # the Retry-After header of an error answer


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: Any


class FakeOpenAIServer:
    """The server; ``start()`` it, ``enqueue()`` replies, read ``requests``, ``stop()`` it."""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.models = [model]
        self.owned_by = "fake"  # what /v1/models says owns each model ("library": Ollama)
        self.requests: list[RecordedRequest] = []
        self.aborted = 0  # streams whose client went away before the end
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end hanging answers and close every connection (never hangs)."""
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.shut_connections()
        self._httpd.server_close()  # joins the handler threads
        self._thread.join(timeout=5)

    def enqueue(self, *replies: Reply) -> None:
        """Script the answers to the next chat completion requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply:
        """The next scripted reply, or a normal story."""
        with self._lock:
            return self._replies.popleft() if self._replies else Reply()

    def record(self, request: RecordedRequest) -> None:
        """Remember a request."""
        with self._lock:
            self.requests.append(request)

    def count_abort(self) -> None:
        """Note a stream whose client went away."""
        with self._lock:
            self.aborted += 1

    def chat_requests(self) -> list[RecordedRequest]:
        """The chat completion requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so that server_close() joins the handler threads
    block_on_close = True

    def __init__(self, owner: FakeOpenAIServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, sock: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            (self._connections.add if add else self._connections.discard)(sock)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hang up (cancelled streams); report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def shut_connections(self) -> None:
        """Wake handler threads blocked reading an idle keep-alive connection."""
        with self._connections_lock:
            for sock in self._connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers
    timeout = 10  # an idle keep-alive connection ends by itself
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._record(None)
        if self.path.rstrip("/") != "/v1/models":
            self._json(404, {"error": {"message": f"No route {self.path}", "type": "not_found"}})
            return
        data = [
            {"id": m, "object": "model", "created": 0, "owned_by": self.server.owner.owned_by}
            for m in self.server.owner.models
        ]
        self._json(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"No route {self.path}", "type": "not_found"}})
            return
        reply = self.server.owner.next_reply()
        try:
            self._answer(reply, body)
        except OSError:  # the client went away (a cancelled stream): nothing to tell it
            self.close_connection = True
            self.server.owner.count_abort()

    def _record(self, body: Any) -> None:
        self.server.owner.record(
            RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
        )

    def _answer(self, reply: Reply, body: dict[str, Any]) -> None:
        if reply.hang:
            self.server.stopping.wait()
            self.close_connection = True
            return
        if reply.status != 200:
            error = {"message": reply.error_message, "type": "server_error", "code": None}
            if reply.status == 429:
                error.update(type="requests", code="rate_limit_exceeded")
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            self._json(reply.status, {"error": error}, headers)
            return
        if not body.get("stream"):
            self._json(200, self._completion(reply, body))
            return
        self._stream(reply, body)

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        chunk = _ChunkMaker(self.server.owner.model, include_usage)
        stopping = self.server.stopping
        if reply.first_delay and stopping.wait(reply.first_delay):
            return self._drop()
        self._event(chunk.make({"role": "assistant", "content": ""}))
        for index, piece in enumerate(reply.pieces):
            if index == reply.drop_after:
                return self._drop()
            if index == reply.stall_after:
                stopping.wait()
                return self._drop()
            if index == reply.malformed_after:
                self._write(b'data: {"id": "chatcmpl-fake", "choices": [{"ind\n\n')
            if index == reply.error_after:
                self._event({"error": {"message": reply.error_message, "type": "server_error"}})
            if reply.piece_delay and stopping.wait(reply.piece_delay):
                return self._drop()
            self._event(chunk.make({"content": piece}))
        if reply.drop_after is not None and reply.drop_after >= len(reply.pieces):
            return self._drop()
        if reply.finish_reason is not None:
            self._event(chunk.make({}, reply.finish_reason))
        if include_usage and reply.usage:
            prompt = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
            self._event(chunk.usage(prompt, len(reply.pieces)))
        if reply.send_done:
            self._write(b"data: [DONE]\n\n")
        self._write(b"")  # the last chunk of a chunked body: a clean end

    def _completion(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        text = "".join(reply.pieces)
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        prompt = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        usage = {"prompt_tokens": prompt, "completion_tokens": len(reply.pieces)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.owner.model,
            "choices": [choice],
            "usage": usage,
        }

    def _event(self, payload: dict[str, Any]) -> None:
        self._write(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _drop(self) -> None:
        """Cut the connection in the middle of the body, as a crashed server would."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _ChunkMaker:
    """Builds ``chat.completion.chunk`` objects as OpenAI sends them."""

    def __init__(self, model: str, include_usage: bool) -> None:
        self.model = model
        self.include_usage = include_usage
        self.created = int(time.time())

    def make(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        chunk = self._base([choice])
        if self.include_usage:
            chunk["usage"] = None  # every chunk carries usage: null until the last one
        return chunk

    def usage(self, prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
        chunk = self._base([])
        chunk["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        return chunk

    def _base(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": choices,
        }


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A running :class:`FakeOpenAIServer`, stopped after the test."""
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


MakeEngine = Callable[..., OpenAICompatEngine]


@pytest.fixture
def make_openai_engine() -> Iterator[MakeEngine]:
    """Build engines for a server (or URL) with short timeouts; all closed after the test.

    ``make_openai_engine(fake_openai, read_timeout=0.5)``; keyword arguments go
    to :class:`OpenAICompatEngine` (the engine is named "remote", model "fake-model").
    """
    engines: list[OpenAICompatEngine] = []

    def make(server_or_url: FakeOpenAIServer | str, **kwargs: Any) -> OpenAICompatEngine:
        url = server_or_url if isinstance(server_or_url, str) else server_or_url.base_url
        kwargs.setdefault("connect_timeout", 1.0)
        kwargs.setdefault("read_timeout", 2.0)
        engine = OpenAICompatEngine("remote", url, "fake-model", **kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def free_port() -> int:
    """A local port with nothing listening on it (for "connection refused")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
