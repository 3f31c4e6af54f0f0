"""Serve the bundled sample blog on 127.0.0.1 (stdlib only), for ``blogarchive demo``.

The sample blog was rendered once into ``crawler/demo/site/`` (package data): one file per
resource, and ``manifest.json`` mapping each request target to its file and content type.
Its links name the placeholder origin :data:`SAMPLE_ORIGIN`; :func:`sample_site` puts the
server's own origin in their place. The generator that rendered it lives with the tests
(``tests/sites/``, re-render with ``python -m tests.sites.render``).

    with serving(sample_site) as url:
        crawl(url)

As a process, ``python -m crawler.demo.server [--port P]`` prints the base URL on the first
stdout line and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import quote, unquote

SITE_DIR = Path(__file__).parent / "site"
SAMPLE_ORIGIN = "http://sample.invalid:8000"
"""The origin the committed pages link to (``.invalid`` never resolves; the port is there so
that its percent-encoded form, ``%3A8000``, is told apart in share links)."""
LAST_MODIFIED = "Sat, 02 Mar 2019 06:00:00 GMT"
_COMPRESSIBLE = ("text/", "xml", "json", "javascript")


@dataclass(frozen=True)
class Resource:
    """One served response: body bytes, content type, status and extra headers."""

    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Site = dict[str, Resource]
"""Normalized path-with-query (:func:`normalize_target`) → resource."""

NOT_FOUND = Resource(
    b"<!DOCTYPE html><html lang='en'><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>",
    "text/html; charset=UTF-8",
    404,
)

_PATH_SAFE = "/-._~!$&'()*+,;=:@"
_QUERY_SAFE = "-._~!$'()*,;:@/?"


def normalize_target(target: str) -> str:
    """Canonical form of a request target used as the site key: fragment dropped, escapes
    unified, query parameters sorted (clients write the same URL several ways)."""
    target = target.split("#", 1)[0]
    path, _, query = target.partition("?")
    path = quote(unquote(path), safe=_PATH_SAFE) or "/"
    params = sorted(
        quote(unquote(key), safe=_QUERY_SAFE) + eq + quote(unquote(value), safe=_QUERY_SAFE)
        for key, eq, value in (part.partition("=") for part in query.split("&") if part)
    )
    return path + "?" + "&".join(params) if params else path


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


def compressible(content_type: str) -> bool:
    return any(marker in content_type for marker in _COMPRESSIBLE)


def sample_site(base_url: str) -> Site:
    """The bundled sample blog with its links pointing at ``base_url`` (``http://host:port/``)."""
    manifest = json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))
    origin = base_url.rstrip("/")
    # The host:port is swapped rather than the origin: pages also hold protocol-relative
    # (``//host:port/``) and percent-encoded (share links: ``host%3Aport``) forms of it.
    old_host, new_host = SAMPLE_ORIGIN.split("//", 1)[1], origin.split("//", 1)[1]
    swaps = [(old_host, new_host), (quote(old_host, safe=""), quote(new_host, safe=""))]
    site: Site = {}
    for target, entry in manifest.items():
        body = (SITE_DIR / entry["file"]).read_bytes()
        for old, new in swaps:
            body = body.replace(old.encode(), new.encode())
        site[normalize_target(target)] = Resource(body, entry["type"])
    return site


class SiteHandler(BaseHTTPRequestHandler):
    """GET and HEAD of a :class:`SiteHTTPServer`'s resources, over HTTP/1.1 keep-alive, gzipped
    when the client accepts it, with validators so that a recrawl gets 304s as from a real blog."""

    protocol_version = "HTTP/1.1"
    server_version = "blogarchive-demo/1.0"
    sys_version = ""
    timeout = 30
    # Small responses must not wait for Nagle's algorithm (a 40 ms stall each).
    disable_nagle_algorithm = True
    server: SiteHTTPServer

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, head: bool) -> None:
        resource = self.server.lookup(self.path)
        etag = _etag(resource) if resource.status == 200 else None
        if etag and etag in self.headers.get("If-None-Match", ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = resource.body
        zipped = compressible(resource.content_type)
        gzipped = bool(body) and zipped and accepts_gzip(self.headers.get("Accept-Encoding"))
        if gzipped:
            body = self.server.gzipped(self.path, resource)
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        if zipped:
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

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: no access log on stderr."""


class SiteHTTPServer(ThreadingHTTPServer):
    """Serves :attr:`site`; one thread per connection."""

    request_queue_size = 128  # the default 5 drops connections from 8 parallel clients

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler] = SiteHandler
    ) -> None:
        super().__init__(address, handler)
        self.site: Site = {}
        self._gz: dict[str, tuple[Resource, bytes]] = {}

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a killed crawler) is normal here, not worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def lookup(self, target: str) -> Resource:
        return self.site.get(normalize_target(target), NOT_FOUND)

    def gzipped(self, target: str, resource: Resource) -> bytes:
        """The gzipped body, compressed once per resource of the site (a resource replaced
        while serving, as tests edit pages, is compressed anew)."""
        key = normalize_target(target)
        cached = self._gz.get(key)
        if cached is None or cached[0] is not resource:
            cached = (resource, gzip.compress(resource.body, compresslevel=6, mtime=0))
            if key in self.site:
                self._gz[key] = cached
        return cached[1]

    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def _etag(resource: Resource) -> str:
    """A weak validator of the identity body, as servers send for compressed variants."""
    return 'W/"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'


@contextmanager
def serving(render: Callable[[str], Site], port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``render(base_url)`` in a daemon thread; yields the base URL (trailing slash)."""
    server = SiteHTTPServer((host, port))
    try:
        server.site = render(server.base_url())
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        try:
            yield server.base_url()
        finally:
            server.shutdown()
            thread.join()
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the sample blog until SIGTERM/SIGINT; the first stdout line is the base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.server", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with serving(sample_site, port=args.port) as url:
        print(url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
