"""A scripted HTTP file server for model downloads: Range requests, drops and pauses.

It listens on 127.0.0.1 (a free port) in a background thread and serves the
files it was given by name, answering ``Range: bytes=N-`` with 206. A test
can make it drop the connection once at a byte offset, pause at an offset
until released, announce a size other than the file's, or ignore Range.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

BLOCK = 65_536


@dataclass(frozen=True)
class FileRequest:
    """One request the server received."""

    path: str
    range: str | None


class ModelFileServer:
    """Serves ``files`` (name -> path on disk); ``start()`` it, ``stop()`` it."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = dict(files)
        self.requests: list[FileRequest] = []
        self.drop_at: int | None = None  # cut the connection once, at this byte offset
        self.pause_at: int | None = None  # stop sending at this offset until release()
        self.announce_size: int | None = None  # a Content-Length other than the file's
        self.ranges = True  # False: answer every request with the whole file (200)
        self.released = threading.Event()
        self.paused = threading.Event()  # set once the answer is waiting at pause_at
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    def url(self, name: str) -> str:
        """The address of a served file."""
        return f"http://127.0.0.1:{self.port}/files/{name}"

    def start(self) -> ModelFileServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def release(self) -> None:
        """Let a paused answer go on."""
        self.released.set()

    def stop(self) -> None:
        """Stop serving and end paused answers."""
        self.released.set()
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: ModelFileServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (a cancelled download) are expected."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.requests.append(FileRequest(self.path, self.headers.get("Range")))
        name = self.path.rsplit("/", 1)[-1]
        source = owner.files.get(name)
        if source is None:
            self.send_error(404)
            return
        size = source.stat().st_size
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and owner.ranges:
            start = int(match.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        length = owner.announce_size if owner.announce_size is not None else size - start
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with source.open("rb") as file:
            file.seek(start)
            self._send(file, start, size)

    def _send(self, file: Any, offset: int, size: int) -> None:
        owner = self.server.owner
        while offset < size:
            stop = size
            for mark in (owner.drop_at, owner.pause_at):
                if mark is not None and offset < mark < stop:
                    stop = mark
            while offset < stop:
                block = file.read(min(BLOCK, stop - offset))
                self.wfile.write(block)
                offset += len(block)
            self.wfile.flush()
            if offset == owner.drop_at:
                owner.drop_at = None  # once
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if offset == owner.pause_at:
                owner.pause_at = None
                owner.paused.set()
                owner.released.wait()
                if self.server.stopping.is_set():
                    return


@pytest.fixture
def model_file_server() -> Iterator[ModelFileServer]:
    """A running :class:`ModelFileServer` with no files yet (add them to ``files``)."""
    server = ModelFileServer({}).start()
    try:
        yield server
    finally:
        server.stop()
