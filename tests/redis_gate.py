"""A TCP passage to the test Redis that a test can cut or silence, to play an outage.

It listens on a free port of 127.0.0.1 and forwards each connection to the
real Redis (127.0.0.1:6379). :meth:`RedisGate.cut` closes every connection and
refuses new ones (Redis is down); :meth:`RedisGate.silence` keeps accepting
but forwards nothing (Redis hangs); :meth:`RedisGate.restore` forwards again on
the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.support import free_port

REDIS = ("127.0.0.1", 6379)


class RedisGate:
    """``start()`` it, point a client at :attr:`url`, ``cut()``/``restore()``, ``stop()``."""

    def __init__(self, target: tuple[str, int] = REDIS) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._silent = False

    @property
    def url(self) -> str:
        """The Redis URL through the gate."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisGate:
        """Listen and forward."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Close every connection and refuse new ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def silence(self) -> None:
        """Close every connection; accept new ones but never answer them."""
        self.cut()
        self._silent = True
        self.start()

    def restore(self) -> None:
        """Forward again, on the same port."""
        self.cut()
        self._silent = False
        self.start()

    def stop(self) -> None:
        """Close everything."""
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    return
                self._sockets.append(client)
                if self._silent:
                    continue
                upstream = socket.create_connection(self.target)
                self._sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes one way until either side closes."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
