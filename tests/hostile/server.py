"""A misbehaving HTTP/1.1 server on 127.0.0.1 (stdlib only), used as a context manager.

    with HostileServer() as server:
        run_cli("crawl", "--url", server.url, ...)
        server.hits("/2024/06/error-500.html")

Each path maps to a :class:`Reply` that writes the response its own way: stalls,
trickles, resets, redirects, streams a gzip bomb. Every request is logged (method,
target, Host header) so tests can count retries and prove what was never asked for.
On exit, stalled replies are woken, every connection is shut and every thread joined.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.support.servers import LoopbackServer, TrackedHandler, TrackingServer

STALL_SECONDS = 120.0
"""How long a stalled reply waits at most (it ends at once when the server stops)."""


class Handler(TrackedHandler):
    """Quiet: the server keeps its own request log."""

    server_version = "hostile/1.0"
    server: Server

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self.server.log(self.command, self.path, self.headers.get("Host", ""))
        reply = self.server.route(self.path)
        try:
            reply.send(self)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()


@dataclass(frozen=True)
class Reply:
    """A complete response: status, headers and body."""

    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, h: Handler) -> None:
        headers = {"Content-Type": self.content_type, "Content-Length": str(len(self.body))}
        h.head(self.status, {**headers, **self.headers})
        h.wfile.write(self.body)


@dataclass(frozen=True)
class Stall(Reply):
    """Reads the request, then says nothing until the client gives up."""

    def send(self, h: Handler) -> None:
        h.server.closing.wait(STALL_SECONDS)
        h.close_connection = True


@dataclass(frozen=True)
class Trickle(Reply):
    """Sends the headers, then the body one byte a second."""

    def send(self, h: Handler) -> None:
        h.head(200, {"Content-Type": self.content_type, "Content-Length": str(len(self.body))})
        for i in range(len(self.body)):
            h.wfile.write(self.body[i : i + 1])
            h.wfile.flush()
            if h.server.closing.wait(1.0):
                break
        h.close_connection = True


@dataclass(frozen=True)
class Reset(Reply):
    """Announces the whole body, sends part of it, then resets the connection (RST)."""

    cut: int = 0

    def send(self, h: Handler) -> None:
        h.head(200, {"Content-Type": self.content_type, "Content-Length": str(len(self.body))})
        h.wfile.write(self.body[: self.cut])
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True


@dataclass(frozen=True)
class Stream(Reply):
    """A body produced chunk by chunk (never held whole); ``length=None``: close-delimited."""

    chunks: Callable[[], Iterable[bytes]] = tuple
    length: int | None = None

    def send(self, h: Handler) -> None:
        headers = {"Content-Type": self.content_type, **self.headers}
        if self.length is None:
            headers["Connection"] = "close"
        else:
            headers["Content-Length"] = str(self.length)
        h.head(200, headers)
        for chunk in self.chunks():
            if h.server.closing.is_set():
                break
            h.wfile.write(chunk)
        h.close_connection = True


@dataclass(frozen=True)
class Flaky(Reply):
    """Fails with ``failure`` the first ``times`` requests, then sends ``then``."""

    failure: Reply = field(default_factory=Reply)
    then: Reply = field(default_factory=Reply)
    times: int = 1
    served: list[int] = field(default_factory=list)

    def send(self, h: Handler) -> None:
        with h.server.lock:
            self.served.append(1)
            failing = len(self.served) <= self.times
        (self.failure if failing else self.then).send(h)


NOT_FOUND = Reply(b"<html><body><h1>Not Found</h1></body></html>", status=404)
Router = Callable[[str], Reply | None]


class Server(TrackingServer):
    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.routes: dict[str, Reply] = {}
        self.routers: list[Router] = []
        self.requests: list[tuple[str, str, str]] = []
        self.closing = threading.Event()
        self.lock = threading.Lock()

    def route(self, target: str) -> Reply:
        """Exact target, else the path alone (servers ignore unknown parameters), else routers."""
        path = urlsplit(target).path
        found = self.routes.get(target) or self.routes.get(path)
        for router in self.routers:
            found = found or router(target)
        return found or NOT_FOUND

    def log(self, method: str, target: str, host: str) -> None:
        with self.lock:
            self.requests.append((method, target, host))


class HostileServer(LoopbackServer[Server]):
    """Serves ``routes`` (target → :class:`Reply`) and ``routers`` on 127.0.0.1:<free port>."""

    thread_name = "hostile"

    def bind(self) -> Server:
        return Server(self.address)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash: ``http://127.0.0.1:PORT``."""
        return self.origin

    def add(self, routes: dict[str, Reply], routers: Iterable[Router] = ()) -> None:
        self.server.routes.update(routes)
        self.server.routers.extend(routers)

    @property
    def requests(self) -> list[tuple[str, str, str]]:
        """(method, target, Host header) of every request so far."""
        with self.server.lock:
            return list(self.server.requests)

    def hits(self, target: str) -> int:
        """How many requests asked for exactly ``target``."""
        return sum(1 for _, t, _ in self.requests if t == target)

    def stopping(self, server: Server) -> None:
        """Wake stalled and trickling replies, so that their threads end."""
        server.closing.set()
