"""A loopback HTTP/1.1 server for the demo blogs (stdlib only, one daemon thread).

    with BlogServer(blogger_blog()) as srv:
        urllib.request.urlopen(srv.url + "feeds/posts/default")

As a process: ``python -m crawler.demo.server --blog demo|blogger|wordpress [--posts N]
[--seed S] [--port P]`` prints the base URL on the first stdout line and serves until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import signal
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Self

from crawler.demo.model import Blog, Resource, Site, normalize_target

NOT_FOUND = Resource(
    b"<!DOCTYPE html><html lang='en'><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>",
    "text/html; charset=UTF-8",
    404,
)
LAST_MODIFIED = "Sat, 02 Mar 2019 06:00:00 GMT"
_COMPRESSIBLE = ("text/", "xml", "json", "javascript")


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (q-values honoured)."""
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _compressible(content_type: str) -> bool:
    return any(marker in content_type for marker in _COMPRESSIBLE)


class TrackingServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server that can end its open keep-alive connections on stop.

    Shared by the demo server, the hostile test server and the benchmark server.
    """

    daemon_threads = False
    block_on_close = True
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


class _Handler(TrackedHandler):
    server_version = "blogarchive-demo/1.0"
    server: _Server

    def setup(self) -> None:
        # Small responses must not wait for Nagle's algorithm (a 40 ms stall each).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        resource = self.server.lookup(self.path)
        etag = _etag(resource) if self.server.validators and resource.status == 200 else None
        if etag and etag in self.headers.get("If-None-Match", ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = resource.body
        gzipped = False
        if (
            body
            and _compressible(resource.content_type)
            and accepts_gzip(self.headers.get("Accept-Encoding"))
        ):
            body = self.server.gzipped(self.path, resource)
            gzipped = True
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        if _compressible(resource.content_type):
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        for name, value in resource.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Server(TrackingServer):
    request_queue_size = 128  # the default 5 drops connections from 8 parallel clients

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.site: Site = {}
        self.validators = True
        self._gz: dict[str, bytes] = {}
        self._lock = threading.Lock()  # taken by BlogServer.update

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a killed crawler) is normal here, not worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def lookup(self, target: str) -> Resource:
        key = normalize_target(target)
        found = self.site.get(key)
        if found is None and key == "/robots.txt":
            return default_robots(self.site, self.base_url())
        return found or NOT_FOUND

    def gzipped(self, target: str, resource: Resource) -> bytes:
        key = normalize_target(target)
        cached = self._gz.get(key)
        if cached is None:
            cached = gzip.compress(resource.body, compresslevel=6, mtime=0)
            if key in self.site:
                self._gz[key] = cached
        return cached

    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def _etag(resource: Resource) -> str:
    """A weak validator of the identity body, as servers send for compressed variants."""
    return 'W/"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'


def default_robots(site: Mapping[str, Resource], base_url: str) -> Resource:
    """robots.txt for a site that has none: allow all, point at /sitemap.xml when present."""
    lines = "User-agent: *\nAllow: /\n"
    if "/sitemap.xml" in site:
        lines += f"\nSitemap: {base_url}sitemap.xml\n"
    return Resource(lines.encode(), "text/plain; charset=UTF-8")


class BlogServer:
    """Serve a :class:`Blog` (rendered for the bound URL) or a ready :data:`Site` on 127.0.0.1."""

    def __init__(
        self, site: Blog | Mapping[str, Resource], port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        self._source = site
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:PORT/``."""
        if self._server is None:
            raise RuntimeError("server not started")
        return self._server.base_url()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    def start(self) -> Self:
        """Bind, render the site for the bound URL and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(self._address)
        try:
            if isinstance(self._source, Blog):
                server.site = self._source.resources(server.base_url())
            else:
                server.site = {normalize_target(k): v for k, v in self._source.items()}
        except BaseException:
            server.server_close()
            raise
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="demo-blog-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def update(self, path: str, resource: Resource) -> None:
        """Replace one page while serving (a post edited between two crawls)."""
        assert self._server is not None, "start the server first"
        key = normalize_target(path)
        with self._server._lock:
            self._server.site[key] = resource
            self._server._gz.pop(key, None)

    def resource(self, path: str) -> Resource:
        assert self._server is not None, "start the server first"
        return self._server.site[normalize_target(path)]

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket, join threads."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.server", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--blog", choices=("demo", "blogger", "wordpress"), default="demo")
    parser.add_argument("--posts", type=int, default=None, help="number of posts (generated blogs)")
    parser.add_argument("--seed", type=int, default=None, help="generator seed (generated blogs)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a demo blog until SIGTERM/SIGINT; the first stdout line is the base URL."""
    from crawler.demo.blogs import get_blog

    args = _parse(argv)
    blog = get_blog(args.blog, args.posts, args.seed)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with BlogServer(blog, port=args.port) as srv:
        print(srv.url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
