"""The benchmark site for ``benchmarks/crawl.py``: padded demo blogs served on loopback.

* Pages: ``tests.sites`` fixture blogs (truth unchanged) with realistic boilerplate added to every
  HTML page here, in the benchmark only: an inline theme stylesheet in ``<head>`` and, before
  ``</body>``, a widget column (recent posts linking to real posts of the same blog, comment
  snippets, a newsletter form) and an inline analytics/config script, filled up to a
  per-page target size drawn from ``page_kb`` (pages already larger only get the stylesheet).
* Size: a generated blog holds at most ~1,800 posts (the title vocabulary runs out), so N posts
  beyond ``CHUNK`` are served as several blogs on the same host: blog 0 at ``/``, blog k at
  ``/b{k}/``; the root robots.txt lists every blog's sitemaps and every page's widget column
  links every blog's home page ("blog network"), so every crawler finds them all.
* Latency: the request handler sleeps ``latency`` seconds before each response.

Reuses the sample-blog server's handler and server classes (gzip, HEAD, keep-alive, 404s),
on the tests' loopback base (``tests/support/servers.py``), so that responses are the demo
server's, plus the padding and the delay.
"""

from __future__ import annotations

import json
import random
import time
import zlib
from typing import Any

from crawler.demo.server import (
    Resource,
    Site,
    SiteHandler,
    SiteHTTPServer,
    compressible,
    normalize_target,
)
from tests.sites import get_blog
from tests.support.servers import LoopbackServer, TrackedHandler, TrackingServer

CHUNK = 1000
"""Posts per generated blog; larger N is split over several blogs on one host."""

_WORDS = [
    "kernel",
    "docker",
    "python",
    "release",
    "cache",
    "latency",
    "thread",
    "compiler",
    "ubuntu",
    "server",
    "backup",
    "router",
    "firmware",
    "raspberry",
    "review",
    "benchmark",
    "install",
    "config",
    "network",
    "storage",
    "terminal",
    "plugin",
    "editor",
    "keyboard",
    "laptop",
    "monitor",
    "update",
    "security",
    "patch",
    "script",
    "deploy",
    "cluster",
    "database",
    "query",
    "index",
    "vim",
    "emacs",
    "rust",
    "golang",
    "javascript",
    "browser",
    "android",
    "linux",
    "windows",
    "macos",
    "setup",
    "guide",
    "tips",
]
_PROPS = (
    "margin:0 0 1em",
    "padding:.5em 1em",
    "color:#333",
    "color:#2a6496",
    "background:#fff",
    "background-color:#f7f7f7",
    "border:1px solid #e5e5e5",
    "border-radius:4px",
    "font-size:14px",
    "font-weight:700",
    "line-height:1.6",
    "text-decoration:none",
    "display:block",
    "display:inline-block",
    "float:left",
    "clear:both",
    "overflow:hidden",
    "box-shadow:0 1px 3px rgba(0,0,0,.12)",
    "transition:color .2s ease-in-out",
    "font-family:'Open Sans',Helvetica,Arial,sans-serif",
)
_SELECTORS = (
    "body",
    ".content-outer",
    ".header-inner .Header h1",
    ".post-body h2",
    ".post-body h3",
    ".post-body pre",
    ".post-body blockquote",
    ".post-footer",
    ".post-labels a",
    ".comments .comment-block",
    ".sidebar .widget",
    ".sidebar .widget h2",
    ".widget-content ul li",
    ".PopularPosts .item-title a",
    ".BlogArchive #ArchiveList ul li",
    ".footer-outer",
    ".blog-pager a",
    ".share-button",
    ".main-inner .column-center-inner",
    ".tabs-inner .widget ul li a",
    ".status-msg-wrap",
    ".jump-link a",
    ".feed-links a",
    ".profile-img",
)


def _theme_css(kb: int = 8) -> str:
    """One deterministic theme stylesheet of about ``kb`` KB (the same on every page)."""
    rng = random.Random(4242)
    rules: list[str] = []
    size = 0
    while size < kb * 1024:
        selector = rng.choice(_SELECTORS)
        if rng.random() < 0.5:
            selector += f" .{rng.choice(_WORDS)}-{rng.choice(('wrap', 'item', 'link', 'box'))}"
        media = rng.random() < 0.1
        props = ";".join(rng.sample(_PROPS, rng.randint(2, 6)))
        rule = f"{selector}{{{props}}}"
        if media:
            rule = f"@media screen and (max-width:{rng.choice((480, 768, 960))}px){{{rule}}}"
        rules.append(rule)
        size += len(rule) + 1
    return "\n".join(rules)


THEME = _theme_css()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def _widgets(
    rng: random.Random, deficit: int, post_urls: list[str], network: list[tuple[str, str]]
) -> str:
    """A widget column of about ``deficit`` bytes: markup ~60 %, inline script ~40 %."""
    parts: list[str] = ["<div class='bench-widgets sidebar section' id='sidebar-bench'>"]
    if network:
        items = "".join(f"<li><a href='{url}'>{name}</a></li>" for name, url in network)
        parts.append(
            "<div class='widget LinkList' id='LinkList9'><h2>Blog network</h2>"
            f"<div class='widget-content'><ul>{items}</ul></div></div>"
        )
    parts.append(
        "<div class='widget Newsletter' id='Newsletter1'><h2>Newsletter</h2>"
        "<form class='subscribe' action='#' method='post'><input type='email' name='email' "
        "placeholder='you@example.invalid'><button type='submit'>Subscribe</button></form>"
        "<p class='fine-print'>No spam. Unsubscribe at any time.</p></div>"
    )
    markup_budget = int(deficit * 0.6)
    recent: list[str] = []
    used = sum(map(len, parts))
    while used < markup_budget:
        url = rng.choice(post_urls) if post_urls else "#"
        item = (
            f"<li class='recent-item'><a class='recent-title' href='{url}'>"
            f"{_sentence(rng, rng.randint(4, 9))}</a><div class='recent-snippet'>"
            f"{_sentence(rng, rng.randint(12, 28))}</div>"
            f"<span class='recent-meta'>{rng.randint(0, 40)} comments</span></li>"
        )
        recent.append(item)
        used += len(item)
    parts.append(
        "<div class='widget RecentPosts' id='RecentPosts1'><h2>Recent posts</h2>"
        f"<div class='widget-content'><ul>{''.join(recent)}</ul></div></div>"
    )
    parts.append("</div>\n<!-- /sidebar-bench: widgets rendered by the theme -->\n")
    script_budget = max(0, deficit - sum(map(len, parts)) - 60)
    config: dict[str, Any] = {"site": {"theme": "bench", "lang": "en"}, "widgets": []}
    blob = json.dumps(config)
    while len(blob) < script_budget:
        config["widgets"].append(
            {
                "id": f"w{len(config['widgets'])}",
                "kind": rng.choice(("ad", "share", "related", "analytics", "consent")),
                "label": _sentence(rng, rng.randint(3, 8)),
                "weight": round(rng.random(), 4),
            }
        )
        blob = json.dumps(config)
    parts.append(f"<script>window.__THEME_CONFIG__ = {blob};</script>\n")
    return "".join(parts)


def pad_page(
    body: bytes,
    path: str,
    page_kb: tuple[int, int],
    post_urls: list[str],
    network: list[tuple[str, str]],
) -> bytes:
    """``body`` with the theme stylesheet and a widget column up to its target size."""
    rng = random.Random(zlib.crc32(path.encode()))
    target = rng.randint(page_kb[0] * 1024, page_kb[1] * 1024)
    style = f"<style id='bench-theme'>\n{THEME}\n</style>\n".encode()
    head_at = body.find(b"</head>")
    if head_at >= 0:
        body = body[:head_at] + style + body[head_at:]
    deficit = target - len(body)
    end = body.rfind(b"</body>")
    if end < 0:
        return body
    widgets = _widgets(rng, max(deficit, 2048), post_urls, network).encode()
    return body[:end] + widgets + body[end:]


def build_site(
    blog: str, posts: int, base_url: str, page_kb: tuple[int, int] = (32, 56)
) -> tuple[Site, int]:
    """The padded site for ``base_url`` (``http://host:port/``) and its number of posts."""
    base = base_url.rstrip("/")
    sizes = [CHUNK] * (posts // CHUNK) + ([posts % CHUNK] if posts % CHUNK else [])
    prefixes = ["" if k == 0 else f"/b{k}" for k in range(len(sizes))]
    network = [(f"Blog {k}", f"{base}{prefix}/") for k, prefix in enumerate(prefixes)]
    network = network if len(sizes) > 1 else []
    site: Site = {}
    total = 0
    for k, (size, prefix) in enumerate(zip(sizes, prefixes, strict=True)):
        demo = get_blog(blog, posts=size, seed=k + 1)
        total += len(demo.truth)
        rendered = demo.resources(f"{base}{prefix}/")
        post_urls = [f"{base}{prefix}{path}" for path in demo.post_paths]
        for path, res in rendered.items():
            key = normalize_target(prefix + path) if prefix else path
            if k and path == "/robots.txt":
                continue
            if res.content_type.startswith("text/html") and res.status == 200:
                body = pad_page(res.body, key, page_kb, post_urls, network)
                res = Resource(body, res.content_type, res.status, dict(res.headers))
            site[key] = res
    if len(sizes) > 1:
        robots = site["/robots.txt"]
        extra = "".join(
            f"Sitemap: {base}{p}/sitemap.xml\nSitemap: {base}{p}/sitemap-pages.xml\n"
            for p in prefixes[1:]
        )
        text = robots.body.decode().rstrip("\n") + "\n" + extra
        site["/robots.txt"] = Resource(text.encode(), robots.content_type)
    return site, total


class _LatencyHandler(TrackedHandler, SiteHandler):
    server: _BenchServer

    def respond(self, head: bool) -> None:
        if self.server.latency > 0:
            time.sleep(self.server.latency)
        super().respond(head)


class _BenchServer(TrackingServer, SiteHTTPServer):
    # socketserver's default listen backlog is 5: eight concurrent connects overflow it and
    # the kernel drops SYNs, which the client retries after 1 s. Production servers use 511.
    request_queue_size = 511

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _LatencyHandler)
        self.latency = 0.0


class BenchServer(LoopbackServer[_BenchServer]):
    """Serve the padded blog on 127.0.0.1 in a thread; ``latency`` (s) can change between runs."""

    thread_name = "bench-server"

    def __init__(self, blog: str, posts: int, page_kb: tuple[int, int] = (32, 56)) -> None:
        super().__init__()
        self.blog, self.posts, self.page_kb = blog, posts, page_kb
        self.post_count = 0

    @property
    def site(self) -> Site:
        return self.server.site

    def set_latency(self, seconds: float) -> None:
        self.server.latency = seconds

    def bind(self) -> _BenchServer:
        server = _BenchServer(self.address)
        server.site, self.post_count = build_site(
            self.blog, self.posts, server.base_url(), self.page_kb
        )
        for path, res in server.site.items():  # gzip once, before any timed run
            if res.body and compressible(res.content_type):
                server.gzipped(path, res)
        return server


def html_sizes(site: Site) -> list[int]:
    """Body sizes of the HTML pages (for the settings printout)."""
    return sorted(len(r.body) for r in site.values() if r.content_type.startswith("text/html"))
