"""The hostile blog: good posts (the truth) mixed with every fault of issue 7, section 1.

Everything is reachable from the home page, the (broken) feed, robots.txt's sitemaps,
or a "next" link, as a crawler would find it on a real blog.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from tests.hostile import pages
from tests.hostile.bomb import MIB, bomb_chunks, bomb_length
from tests.hostile.pages import GoodPost
from tests.hostile.server import Flaky, Reply, Reset, Router, Stall, Stream, Trickle

HTML_NO_CHARSET = "text/html"
BOMB_MIB = 2048
HUGE_BYTES = 20 * MIB
REDIRECT_CHAIN = 30
_LOREM = (
    "Archiving a blog means keeping every post whole, even when the server is hostile.",
    "This paragraph exists so the body has more than one block of text to compare.",
)

PLAIN = [
    GoodPost(
        path=f"/2019/0{n}/good-post-{n}.html", title=f"Good post number {n}", paragraphs=_LOREM
    )
    for n in range(1, 6)
]
DUPLICATED = PLAIN[0]
"""Linked under many URLs; its copy at ``CANONICAL_COPY`` names it as canonical."""
CP1252 = GoodPost(
    path="/2020/02/cafe-cp1252.html",
    title="Café “naïve” résumé — déjà vu",
    paragraphs=("Crème brûlée for €5, said the “naïve” façade.", "Ångström, Zoë, œuvre… done."),
)
SHIFT_JIS = GoodPost(
    path="/2020/03/shift-jis.html",
    title="日本語のブログ記事",
    paragraphs=("これは日本語で書かれた記事です。", "文字化けしないことを確かめます。"),
    author="山田太郎",
)
NO_CHARSET = GoodPost(
    path="/2020/04/no-charset.html",
    title="Grüße aus Köln",
    paragraphs=("Ein Beitrag ohne Zeichensatz: Größe, Übung, ß.", "Zweiter Absatz, naïve."),
)
MALFORMED = GoodPost(path="/2020/05/malformed.html", title="Malformed markup", paragraphs=_LOREM)
TRUNCATED = GoodPost(path="/2020/06/truncated.html", title="Cut-off page", paragraphs=_LOREM)
FLAKY = GoodPost(path="/2020/07/flaky.html", title="Fails once, then works", paragraphs=_LOREM)
CHAIN_END = GoodPost(path="/2020/09/end-of-chain.html", title="End of a chain", paragraphs=_LOREM)
MOVED = GoodPost(path="/2020/10/new-home.html", title="Moved here", paragraphs=_LOREM)
BAD_HREF = GoodPost(path="/2020/11/bad-href.html", title="A bad link inside", paragraphs=_LOREM)
GOOD = [
    *PLAIN,
    CP1252,
    SHIFT_JIS,
    NO_CHARSET,
    MALFORMED,
    TRUNCATED,
    FLAKY,
    CHAIN_END,
    MOVED,
    BAD_HREF,
]
"""Every post that must be archived."""

CANONICAL_COPY = "/2020/08/print-copy.html"
MOVED_FROM = "/2020/10/moved.html"
DUPLICATE_LINKS = [
    "?utm_source=twitter&utm_medium=social&utm_campaign=x",
    "?m=1",
    "#comments",
    "?showComment=1552312345678#c1552312345678",
    "?fbclid=IwAR0hostile",
    "?utm_source=feedburner&m=1#more",
]
H = "/2024/06/"
FAULTS = {
    "timeout": f"{H}timeout.html",
    "slow": f"{H}slow.html",
    "error-500": f"{H}error-500.html",
    "error-502": f"{H}error-502.html",
    "error-503": f"{H}error-503.html",
    "rate-limited": f"{H}rate-limited.html",
    "reset": f"{H}reset.html",
    "redirect-loop": f"{H}redirect-loop.html",
    "redirect-chain": f"{H}redirect-chain.html",
    "redirect-ftp": f"{H}redirect-ftp.html",
    "redirect-file": f"{H}redirect-file.html",
    "redirect-offsite": f"{H}redirect-offsite.html",
    "huge": f"{H}huge.html",
    "huge-unsized": f"{H}huge-unsized.html",
    "bomb": f"{H}bomb.html",
    "binary": f"{H}binary.html",
    "empty": f"{H}empty.html",
}
RETRIED = ["timeout", "slow", "error-500", "error-502", "error-503", "rate-limited", "reset"]
"""Faults Scrapy's RetryMiddleware retries (RETRY_TIMES), then gives up on."""
CALENDAR_START = "/calendar/2024/01/"
ENDLESS_START = "/archive?page=1"
SCRIPT_ONLY = ["/2019/09/script-only.html", "/script-fetch"]
SCRIPT = (
    "<script>document.write(\"<a href='/2019/09/script-only.html'>x</a>\");"
    "fetch('/script-fetch');</script>"
)
"""Links only a browser running the page's JavaScript would follow."""
OUT_OF_SCOPE = [
    "javascript:alert(document.cookie)",
    "mailto:owner@example.org",
    "ftp://127.0.0.1/2019/01/ftp-post.html",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
]


@dataclass
class HostileSite:
    """The routes of the hostile blog served at ``base`` (``http://127.0.0.1:PORT``)."""

    base: str
    routes: dict[str, Reply] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.routes = {
            **self._navigation(),
            **self._good_posts(),
            **self._errors(),
            **self._redirects(),
            **self._sizes(),
        }

    @property
    def routers(self) -> list[Router]:
        return [self._calendar, self._endless, self._chain]

    @property
    def offsite(self) -> str:
        """The same server under another host name: out of scope."""
        return self.base.replace("127.0.0.1", "localhost")

    def good_urls(self) -> list[str]:
        """Every good post's URL."""
        return [self.base + p.path for p in GOOD]

    def listed_urls(self) -> list[str]:
        """What the sitemaps and the feed list: the good posts, except the one moved."""
        return [self.base + p.path for p in GOOD if p is not MOVED]

    def _html(self, text: str, status: int = 200, **headers: str) -> Reply:
        return Reply(text.encode(), status=status, headers=headers)

    def _post(self, post: GoodPost, **kwargs: str) -> Reply:
        return self._html(pages.post_html(post, self.base, **kwargs))

    def _navigation(self) -> dict[str, Reply]:
        b = self.base
        linked = [b + p.path for p in GOOD if p not in (MOVED, FLAKY)]
        linked += [b + MOVED_FROM, b + FLAKY.path, b + BAD_HREF.path, b + CANONICAL_COPY]
        linked += [b + DUPLICATED.path + d for d in DUPLICATE_LINKS]
        others = [b + f for f in FAULTS.values()] + [
            *OUT_OF_SCOPE,
            self.offsite + "/2019/01/x.html",
        ]
        extra = f"<a rel='next' href='{b}{CALENDAR_START}'>Next month</a>"
        extra += f"<a href='{b}{ENDLESS_START}'>More</a>" + SCRIPT
        robots = f"User-agent: *\nAllow: /\nSitemap: {b}/sitemap.xml\nSitemap: {b}/broken.xml\n"
        xml = "application/xml; charset=UTF-8"
        return {
            "/": self._html(pages.home_html(b, linked, others, extra)),
            "/robots.txt": Reply(robots.encode(), "text/plain"),
            "/sitemap.xml": Reply(pages.sitemap_xml(self.listed_urls()).encode(), xml),
            "/broken.xml": Reply(pages.broken_sitemap_xml(self.listed_urls()).encode(), xml),
            "/feeds/posts/default": Reply(
                pages.broken_feed_xml(self.listed_urls()), "application/atom+xml; charset=UTF-8"
            ),
        }

    def _good_posts(self) -> dict[str, Reply]:
        b = self.base
        routes = {p.path: self._post(p) for p in [*PLAIN, CHAIN_END, MOVED]}
        copy = replace(DUPLICATED, path=CANONICAL_COPY, canonical=DUPLICATED.path)
        bad = pages.post_html(BAD_HREF, b, extra="<a href='http://[oops/2019/01/x.html'>x</a>")
        return routes | {
            CANONICAL_COPY: self._post(copy),
            CP1252.path: Reply(pages.post_html(CP1252, b).encode("cp1252")),
            SHIFT_JIS.path: Reply(
                pages.post_html(SHIFT_JIS, b, charset="Shift_JIS").encode("shift_jis"),
                HTML_NO_CHARSET,
            ),
            NO_CHARSET.path: Reply(
                pages.post_html(NO_CHARSET, b, charset=None).encode(), HTML_NO_CHARSET
            ),
            MALFORMED.path: self._html(pages.malformed_html(MALFORMED, b)),
            TRUNCATED.path: self._html(pages.truncated_html(TRUNCATED, b)),
            FLAKY.path: Flaky(failure=Reply(b"busy", status=503), then=self._post(FLAKY)),
            BAD_HREF.path: self._html(bad),
        }

    def _errors(self) -> dict[str, Reply]:
        page = pages.post_html(PLAIN[1], self.base).encode()
        return {
            FAULTS["timeout"]: Stall(),
            FAULTS["slow"]: Trickle(page),
            FAULTS["error-500"]: self._html("<h1>500</h1>", 500),
            FAULTS["error-502"]: self._html("<h1>Bad gateway</h1>", 502),
            FAULTS["error-503"]: self._html("<h1>Unavailable</h1>", 503),
            FAULTS["rate-limited"]: self._html(
                "<h1>Slow down</h1>", 429, **{"Retry-After": "3600"}
            ),
            FAULTS["reset"]: Reset(page, cut=len(page) // 3),
            FAULTS["binary"]: Reply(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(4096)),
            FAULTS["empty"]: Reply(b""),
        }

    def _redirects(self) -> dict[str, Reply]:
        b = self.base
        loop_b = f"{H}redirect-loop-b.html"
        return {
            FAULTS["redirect-loop"]: self._to(b + loop_b),
            loop_b: self._to(b + FAULTS["redirect-loop"]),
            FAULTS["redirect-chain"]: self._to(b + "/hop/1"),
            FAULTS["redirect-ftp"]: self._to("ftp://127.0.0.1/pub/x.html"),
            FAULTS["redirect-file"]: self._to("file:///etc/passwd"),
            FAULTS["redirect-offsite"]: self._to(self.offsite + CHAIN_END.path),
            MOVED_FROM: self._to(b + MOVED.path, 301),
        }

    def _sizes(self) -> dict[str, Reply]:
        chunk = b"<p>" + b"x" * (MIB - 7) + b"</p>\n"
        huge = [chunk] * (HUGE_BYTES // MIB)
        return {
            FAULTS["huge"]: Stream(chunks=lambda: huge, length=HUGE_BYTES),
            FAULTS["huge-unsized"]: Stream(chunks=lambda: huge),
            FAULTS["bomb"]: Stream(
                chunks=lambda: bomb_chunks(BOMB_MIB),
                length=bomb_length(BOMB_MIB),
                headers={"Content-Encoding": "gzip"},
            ),
        }

    def _to(self, location: str, status: int = 302) -> Reply:
        return Reply(b"", status=status, headers={"Location": location})

    def _calendar(self, target: str) -> Reply | None:
        match = re.fullmatch(r"/calendar/(\d{4})/(\d{2})/", target)
        if not match:
            return None
        year, month = int(match[1]), int(match[2])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        next_url = f"{self.base}/calendar/{year}/{month:02d}/"
        return self._html(pages.listing_html(f"{match[1]}-{match[2]}", next_url))

    def _endless(self, target: str) -> Reply | None:
        match = re.fullmatch(r"/archive\?page=(\d+)", target)
        if not match:
            return None
        next_url = f"{self.base}/archive?page={int(match[1]) + 1}"
        return self._html(pages.listing_html(f"Archive page {match[1]}", next_url))

    def _chain(self, target: str) -> Reply | None:
        match = re.fullmatch(r"/hop/(\d+)", target)
        if not match:
            return None
        n = int(match[1])
        return self._to(self.base + (f"/hop/{n + 1}" if n < REDIRECT_CHAIN else CHAIN_END.path))


def calendar_hits(requests: list[tuple[str, str, str]]) -> Iterator[str]:
    return (t for _, t, _ in requests if t.startswith("/calendar/"))
