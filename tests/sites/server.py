"""Serve a fixture blog on 127.0.0.1 for a test, with the product's sample-blog handler.

    with BlogServer(blogger_blog()) as srv:
        urllib.request.urlopen(srv.url + "feeds/posts/default")

Responses are exactly what ``blogarchive demo`` serves (:mod:`crawler.demo.server`: gzip,
HEAD, keep-alive, validators, 404s); this adds rendering a :class:`Blog` for the bound URL,
a default robots.txt, editing a page while serving, and a clean stop (``tests/support``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from crawler.demo.server import Resource, SiteHandler, SiteHTTPServer, normalize_target
from tests.sites.model import Blog
from tests.support.servers import LoopbackServer, TrackedHandler, TrackingServer


class BlogHandler(TrackedHandler, SiteHandler):
    server: BlogHTTPServer

    def respond(self, head: bool) -> None:
        # A slowed page answers late, so that a test can choose the order a crawl reads in.
        time.sleep(self.server.delays.get(normalize_target(self.path), 0.0))
        super().respond(head)


class BlogHTTPServer(TrackingServer, SiteHTTPServer):
    """The product's site server, with tracked connections and a default robots.txt."""

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, BlogHandler)
        self.delays: dict[str, float] = {}

    def lookup(self, target: str) -> Resource:
        found = super().lookup(target)
        if found.status == 404 and normalize_target(target) == "/robots.txt":
            return default_robots(self.site, self.base_url())
        return found


def default_robots(site: Mapping[str, Resource], base_url: str) -> Resource:
    """robots.txt for a site that has none: allow all, point at /sitemap.xml when present."""
    lines = "User-agent: *\nAllow: /\n"
    if "/sitemap.xml" in site:
        lines += f"\nSitemap: {base_url}sitemap.xml\n"
    return Resource(lines.encode(), "text/plain; charset=UTF-8")


class BlogServer(LoopbackServer[BlogHTTPServer]):
    """Serve a :class:`Blog` (rendered for the bound URL) or a ready site on 127.0.0.1."""

    thread_name = "demo-blog-server"

    def __init__(
        self, site: Blog | Mapping[str, Resource], port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        super().__init__(port, host)
        self._source = site

    def bind(self) -> BlogHTTPServer:
        server = BlogHTTPServer(self.address)
        try:
            if isinstance(self._source, Blog):
                server.site = self._source.resources(server.base_url())
            else:
                server.site = {normalize_target(k): v for k, v in self._source.items()}
        except BaseException:
            server.server_close()
            raise
        return server

    def update(self, path: str, resource: Resource) -> None:
        """Replace one page while serving (a post edited between two crawls)."""
        # One dict assignment: a request sees the old page or the new one, never a mix (the
        # gzip cache notices the new resource).
        self.server.site[normalize_target(path)] = resource

    def slow(self, path: str, seconds: float) -> None:
        """Answer ``path`` ``seconds`` late from now on."""
        self.server.delays[normalize_target(path)] = seconds

    def resource(self, path: str) -> Resource:
        return self.server.site[normalize_target(path)]
