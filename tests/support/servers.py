"""The base of the loopback HTTP servers of the tests and benchmarks (stdlib only).

:class:`LoopbackServer` runs a :class:`TrackingServer` in a thread as a context manager;
fixture blogs (``tests/sites/server.py``), the hostile server (``tests/hostile/server.py``)
and the benchmark site (``benchmarks/crawl_site.py``) differ only in the server they bind.
Unlike the product's sample-blog server, which lives as long as its command, these start and
stop many times in one test process, so stopping ends every open keep-alive connection and
joins its thread: nothing is left running into the next test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Generic, Self, TypeVar


class TrackingServer(ThreadingHTTPServer):
    """A threaded HTTP server that can end its open keep-alive connections on stop."""

    daemon_threads = False
    block_on_close = True  # server_close() joins the handler threads
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        """Shut down open keep-alive connections so their handler threads end."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class TrackedHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler whose connection its :class:`TrackingServer` can end."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 30
    server: TrackingServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: no access log on stderr."""


S = TypeVar("S", bound=TrackingServer)


class LoopbackServer(Generic[S]):
    """Serve a :class:`TrackingServer` (made by :meth:`bind`) in a daemon thread."""

    thread_name = "loopback-server"

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.address = (host, port)
        self._server: S | None = None
        self._thread: threading.Thread | None = None

    def bind(self) -> S:
        """The bound, ready-to-serve server (subclasses fill in what it serves)."""
        raise NotImplementedError

    @property
    def server(self) -> S:
        if self._server is None:
            raise RuntimeError("server not started")
        return self._server

    @property
    def origin(self) -> str:
        """``http://HOST:PORT``, no trailing slash."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:PORT/``."""
        return self.origin + "/"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = self.bind()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stopping(self, server: S) -> None:
        """Called first on stop, while still serving (wake replies that wait)."""

    def stop(self) -> None:
        """Stop serving, end open connections, close the socket, join every thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self.stopping(server)
        server.shutdown()
        if thread is not None:
            thread.join()
        server.close_connections()
        server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
