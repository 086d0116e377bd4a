"""GGUF model downloads: one background thread each, resumable, checked for space and checksum.

A download writes ``<models dir>/<name>.gguf.part`` and renames it to
``<name>.gguf`` only once it is complete and its checksum (when given)
matches, so a half-downloaded file is never listed as a model. Its state
lives in memory (and in the partial file): a restart forgets downloads in
progress. A dropped connection resumes with an HTTP ``Range`` request; a
download that fails or is cancelled removes its partial file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

import httpx2

from storybot.errors import ApiError, InvalidInput, NotFound

log = logging.getLogger(__name__)

DownloadStatus = Literal["downloading", "verifying", "done", "failed", "cancelled"]
ENDED: frozenset[str] = frozenset({"done", "failed", "cancelled"})
GGUF_MAGIC = b"GGUF"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,150}\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a dropped connection is tried again, and how long to wait in between.

    The count starts again whenever a try brought new bytes, so a long download
    survives many short outages but a server that never answers fails soon.
    """

    retries: int = 4
    first_wait: float = 1.0
    longest_wait: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before try number ``attempt`` (1 is the first retry)."""
        return float(min(self.longest_wait, self.first_wait * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class DownloadState:
    """What a download is doing, as ``GET /api/models/downloads/<id>`` reports it."""

    id: str
    url: str
    file_name: str
    path: str
    status: DownloadStatus
    bytes_done: int
    bytes_total: int | None
    sha256: str | None
    retries: int
    started_at: float
    seconds_left: float | None = None
    error_code: str | None = None
    error_message: str | None = None


class DownloadFailed(Exception):
    """A download that cannot go on, with a code and a message a person can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Cancelled(Exception):
    """The download was cancelled."""


class _Dropped(Exception):
    """The body ended before the announced size: resume from where it stopped."""


def file_name_of(url: str) -> str:
    """The model's file name from its URL; 422 unless it is an http(s) URL of a .gguf file."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "Give the model's address as an http:// or https:// link.",
            [{"field": "url", "message": "not an http(s) URL", "type": "url_scheme"}],
        )
    name = unquote(parts.path.rsplit("/", 1)[-1])
    if not SAFE_NAME.match(name):
        raise InvalidInput(
            "The link must end in the model's file name, ending in .gguf (for example "
            "https://example.org/models/qwen2.5-1.5b-instruct-q4_k_m.gguf).",
            [{"field": "url", "message": "not a .gguf file name", "type": "url_not_gguf"}],
        )
    return name


class ModelDownload:
    """One download and the thread that runs it."""

    def __init__(
        self,
        url: str,
        target: Path,
        *,
        sha256: str | None,
        reserve_bytes: int,
        policy: RetryPolicy,
    ) -> None:
        """Describe the download; :meth:`start` begins it."""
        self.id = uuid.uuid4().hex
        self.url = url
        self.target = target
        self.partial = target.with_name(target.name + ".part")
        self.reserve_bytes = reserve_bytes
        self.policy = policy
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._hash = hashlib.sha256()
        self._head = b""  # the file's first bytes, to check the GGUF magic
        self._state = DownloadState(
            id=self.id,
            url=url,
            file_name=target.name,
            path=str(target),
            status="downloading",
            bytes_done=0,
            bytes_total=None,
            sha256=sha256.lower() if sha256 else None,
            retries=0,
            started_at=time.time(),
        )
        self._rate = _Rate()
        self._response: httpx2.Response | None = None  # the answer being read, to cut on cancel
        self._thread = threading.Thread(
            target=self._run, name=f"storybot-download-{self.id[:8]}", daemon=True
        )

    def start(self) -> ModelDownload:
        """Start downloading in the background."""
        self._thread.start()
        return self

    def state(self) -> DownloadState:
        """A snapshot of the download's state."""
        with self._lock:
            state = self._state
        if state.status != "downloading" or state.bytes_total is None:
            return state
        return replace(state, seconds_left=self._rate.seconds_left(state.bytes_total))

    def cancel(self, wait: float = 2.0) -> DownloadState:
        """Stop the download and remove its partial file; waits up to ``wait`` seconds."""
        self._cancel.set()
        with self._lock:
            response = self._response
        if response is not None:
            _shut_down(response)
        self._thread.join(timeout=wait)
        return self.state()

    def wait(self, timeout: float | None = None) -> DownloadState:
        """Wait until the download has ended (or ``timeout`` passed); its state."""
        self._thread.join(timeout=timeout)
        return self.state()

    @property
    def ended(self) -> bool:
        """True once the download is done, failed or cancelled."""
        return self.state().status in ENDED

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)  # type: ignore[arg-type]

    def _run(self) -> None:
        try:
            self._download()
            self._verify()
            self.partial.replace(self.target)
            self._update(status="done")
        except _Cancelled:
            self._remove_partial()
            self._update(status="cancelled")
        except DownloadFailed as exc:
            self._remove_partial()
            self._update(status="failed", error_code=exc.code, error_message=exc.message)
        except Exception as exc:  # a bug or a disk error: the download fails, the server lives
            log.exception("model download %s failed: %s", self.id, exc)
            self._remove_partial()
            self._update(
                status="failed",
                error_code="internal_error",
                error_message=f"The download stopped because of an error on this machine: {exc}",
            )

    def _remove_partial(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.partial.unlink()

    def _download(self) -> None:
        timeout = httpx2.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.partial.write_bytes(b"")
        attempt = 0
        with httpx2.Client(timeout=timeout, follow_redirects=True) as client:
            while True:
                before = self._state.bytes_done
                try:
                    self._fetch(client)
                    return
                except (httpx2.TransportError, _Dropped) as exc:
                    if self._cancel.is_set():
                        raise _Cancelled from exc
                    attempt = 1 if self._state.bytes_done > before else attempt + 1
                    if attempt > self.policy.retries:
                        raise DownloadFailed("connection_lost", self._lost(exc)) from exc
                    self._update(retries=self._state.retries + 1)
                    if self._cancel.wait(self.policy.wait_before(attempt)):
                        raise _Cancelled from exc

    def _lost(self, exc: Exception) -> str:
        """Why the download gave up, saying whether the server was ever reached."""
        host = _host(self.url)
        if self._state.bytes_done == 0 and isinstance(exc, httpx2.ConnectError):
            return (
                f"Storybot could not reach {host} ({exc}). Check the link and this "
                "machine's internet connection, then try again."
            )
        return (
            f"The connection to {host} kept dropping ({self.policy.retries} tries in a row); "
            "try again later."
        )

    def _fetch(self, client: httpx2.Client) -> None:
        """One request: from the start, or resumed from the bytes already written."""
        done = self._state.bytes_done
        # identity: the sizes announced must be those of the file, not of a compressed body.
        headers = {"Accept-Encoding": "identity"}
        if done:
            headers["Range"] = f"bytes={done}-"
        with client.stream("GET", self.url, headers=headers) as response:
            with self._lock:
                self._response = response
            if self._cancel.is_set():
                raise _Cancelled
            if response.status_code >= 500:
                raise _Dropped(f"server error {response.status_code}")
            if response.status_code >= 400:
                raise DownloadFailed(
                    "http_error",
                    f"The server at {_host(self.url)} answered {response.status_code} "
                    f"{response.reason_phrase}; check the link.",
                )
            if done and response.status_code == 206:
                total = _total_from_content_range(response.headers.get("Content-Range"), done)
            else:
                # A server that ignores Range sends the whole file again: start over.
                done = 0
                self._restart()
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            self._update(bytes_total=total)
            self._check_space(None if total is None else total - done)
            self._write(response, done, total)

    def _restart(self) -> None:
        self.partial.write_bytes(b"")
        self._hash = hashlib.sha256()
        self._head = b""
        self._update(bytes_done=0)
        self._rate.reset(0)

    def _check_space(self, remaining: int | None) -> None:
        free = shutil.disk_usage(self.target.parent).free
        needed = (remaining or 0) + self.reserve_bytes
        if free < needed:
            raise DownloadFailed(
                "not_enough_space",
                f"The model needs {_mib(remaining or 0)} and {_mib(self.reserve_bytes)} must stay "
                f"free, but only {_mib(free)} is free on the disk of {self.target.parent}. "
                "Free some space, or choose a smaller model.",
            )

    def _write(self, response: httpx2.Response, done: int, total: int | None) -> None:
        with self.partial.open("ab") as out:
            # As the bytes arrive: a drop then loses nothing already received.
            for chunk in response.iter_bytes():
                if self._cancel.is_set():
                    raise _Cancelled
                if len(self._head) < len(GGUF_MAGIC):
                    self._head += chunk[: len(GGUF_MAGIC) - len(self._head)]
                    if len(self._head) == len(GGUF_MAGIC) and self._head != GGUF_MAGIC:
                        raise DownloadFailed(
                            "not_gguf",
                            "The link does not lead to a GGUF model file (it starts with "
                            f"{self._head!r}, not GGUF). Copy the link of the .gguf file itself.",
                        )
                out.write(chunk)
                self._hash.update(chunk)
                done += len(chunk)
                self._rate.add(done)
                self._update(bytes_done=done)
        if self._cancel.is_set():
            raise _Cancelled
        if total is not None and done < total:
            raise _Dropped(f"got {done} of {total} bytes")
        if self._head != GGUF_MAGIC:
            raise DownloadFailed("not_gguf", "The link does not lead to a GGUF model file.")

    def _verify(self) -> None:
        self._update(status="verifying")
        expected = self._state.sha256
        actual = self._hash.hexdigest()
        if expected and actual != expected:
            raise DownloadFailed(
                "checksum_mismatch",
                f"The file's SHA-256 is {actual}, not {expected}: it is damaged or not the "
                "file the checksum belongs to. It was removed.",
            )


class _Rate:
    """Bytes per second over the last few seconds, for the time left."""

    WINDOW = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._points: list[tuple[float, int]] = []

    def reset(self, done: int) -> None:
        with self._lock:
            self._points = [(time.monotonic(), done)]

    def add(self, done: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._points.append((now, done))
            while len(self._points) > 2 and now - self._points[0][0] > self.WINDOW:
                self._points.pop(0)

    def seconds_left(self, total: int) -> float | None:
        with self._lock:
            if len(self._points) < 2:
                return None
            (t0, d0), (t1, d1) = self._points[0], self._points[-1]
        if t1 <= t0 or d1 <= d0:
            return None
        return round((total - d1) / ((d1 - d0) / (t1 - t0)), 1)


def _shut_down(response: httpx2.Response) -> None:
    """Shut down the socket under ``response``, waking a read blocked on a silent server.

    Checking the cancel flag between chunks is not enough when the server
    stalls: the read would wait for the whole read timeout. ``shutdown``
    (unlike ``close``) wakes a ``recv`` blocked in another thread.
    """
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _total_from_content_range(value: str | None, start: int) -> int | None:
    """The full size from ``Content-Range: bytes <start>-<end>/<size>``; checks the start."""
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", (value or "").strip())
    if match is None or int(match.group(1)) != start:
        raise DownloadFailed(
            "bad_resume",
            "The server resumed the download at the wrong place; try again.",
        )
    return None if match.group(3) == "*" else int(match.group(3))


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _mib(size: int) -> str:
    return f"{size / 1_048_576:,.0f} MiB"


class ModelDownloads:
    """Every download of this process, by id."""

    def __init__(
        self, models_dir: Path, *, reserve_bytes: int, policy: RetryPolicy | None = None
    ) -> None:
        """Downloads go into ``models_dir``, leaving ``reserve_bytes`` free on its disk."""
        self.models_dir = models_dir
        self.reserve_bytes = reserve_bytes
        self.policy = policy or RetryPolicy()
        self._lock = threading.Lock()
        self._downloads: dict[str, ModelDownload] = {}

    def start(self, url: str, sha256: str | None = None) -> ModelDownload:
        """Start downloading ``url``; 422 for a bad link, 409 when the file exists or is coming."""
        name = file_name_of(url)
        target = self.models_dir / name
        with self._lock:
            for other in self._downloads.values():
                if other.target.name.lower() == name.lower() and not other.ended:
                    raise ApiError(
                        409,
                        "download_in_progress",
                        f"{name} is being downloaded already.",
                        {"download_id": other.id},
                    )
            if target.exists():
                raise ApiError(
                    409,
                    "model_exists",
                    f"There is a model file {name} already; use it from the list of models.",
                )
            download = ModelDownload(
                url, target, sha256=sha256, reserve_bytes=self.reserve_bytes, policy=self.policy
            )
            self._downloads[download.id] = download
        return download.start()

    def get(self, download_id: str) -> ModelDownload:
        """The download with this id, or :class:`NotFound`."""
        with self._lock:
            download = self._downloads.get(download_id)
        if download is None:
            raise NotFound("download", download_id)
        return download

    def all(self) -> list[ModelDownload]:
        """Every download of this process, oldest first."""
        with self._lock:
            return list(self._downloads.values())

    def cancel(self, download_id: str) -> DownloadState:
        """Cancel a running download (its partial file goes); an ended one is forgotten."""
        download = self.get(download_id)
        if download.ended:
            with self._lock:
                self._downloads.pop(download_id, None)
            return download.state()
        return download.cancel()

    def close(self) -> None:
        """Cancel every running download (at shutdown)."""
        for download in self.all():
            if not download.ended:
                download.cancel(wait=1.0)
