"""Page requisites in the crawl: the images and stylesheets a post needs, archived with it.

:class:`AssetSpider` is the part of the blog spider that, for every post (and page) item,
requests what :func:`crawler.parsers.requisites.page_requisites` lists (the post's images,
the page's stylesheets and favicon) and puts the images on the item. Asset requests:

* go to any host the page names (blog images live on CDNs): ``allow_offsite`` lets them
  past Scrapy's offsite filter, and :class:`AssetRobotsMiddleware` lets the robots.txt
  request of their host past it too, so each host's robots.txt is obeyed; each host has
  its own download slot (delay, concurrency, AutoThrottle) and ``PolitenessMiddleware``
  pacing;
* come right after their post (above posts, below discovery and listings: a post waits
  for them, see below), within ``ASSETS_MAX_PER_CRAWL`` (0: no limit) and
  ``ASSETS_MAX_BYTES`` each, and only for the content types of ``ASSETS_TYPES`` (others
  are dropped when their headers arrive, before their body);
* are not asked again while fresh (with ``INCREMENTAL_ENABLED``): an asset archived by an
  earlier crawl is left alone within the lifetime its last capture's ``Cache-Control`` or
  ``Expires`` gives it (:mod:`archive.lifetime`), else within the site's
  ``revalidate_after`` (between half and all of it per URL, as for posts), counted from
  the server's last answer;
* are conditional (``If-None-Match``/``If-Modified-Since`` from the last capture), so an
  unchanged asset is archived as a revisit (as is one with the same payload digest);
* are asked once per crawl, however many pages name them (theme files);
* include what a fetched stylesheet names: its ``url()`` images and ``@import``s.

Their responses are archived by the capture path like any other; their callback counts
them (``blogarchive/assets/*`` stats) and settles them in :attr:`AssetSpider.asset_holds`:
:class:`AssetHoldMiddleware` holds each captured post back from the item pipelines until
its images are settled, so that its JSONL line lists each archived image with its WARC
pointer (see :mod:`crawler.spiders.holds`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.lifetime import captured_lifetime
from archive.records import ImageRef, PostRecord, WarcRef
from archive.session import parse_when
from crawler.capture.extension import ArchiveExtension
from crawler.parsers.requisites import Requisites, css_requisites
from crawler.spiders.holds import AssetHolds

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

# Right above posts (see blog.PRIORITY): a post's images come before the next post, so
# few posts wait for theirs (AssetHolds); discovery and listings still come first.
ASSET_PRIORITY = 21
ASSET_STATUSES = [304, 404, 410]  # answers for the callback, not failures
ASSET_KIND = "asset"


class AssetSpider(Spider):
    """Requests a post's requisites and lists its images on its item."""

    assets_enabled = False
    assets_budget = 0
    assets_max_bytes = 0
    assets_scheduled = 0
    assets_fresh_for: timedelta | None = None
    asset_holds: AssetHolds | None = None

    def setup_assets(self, settings: BaseSettings) -> None:
        self.assets_enabled = settings.getbool("ASSETS_ENABLED")
        site = getattr(self, "site", None)
        if settings.getbool("INCREMENTAL_ENABLED") and settings.getbool("ARCHIVE_DEDUP_ENABLED"):
            self.assets_fresh_for = getattr(site, "revalidate_after", None)
        self.assets_budget = max(0, settings.getint("ASSETS_MAX_PER_CRAWL"))
        self.assets_max_bytes = max(0, settings.getint("ASSETS_MAX_BYTES"))
        self._assets_seen: set[str] = set()
        if self.assets_enabled:
            limit = settings.getint("ASSETS_HOLD_MAX", 1000)
            self.asset_holds = AssetHolds(self._archived_at, limit)

    def _archived_at(self, url: str) -> WarcRef | None:
        """Where the last full capture of ``url`` (its bytes) lives in the archive."""
        archive = self.crawler.get_extension(ArchiveExtension)
        capture = archive.session.history.last_capture(url) if archive else None
        if capture is None:
            return None
        return WarcRef(
            filename=capture.filename, offset=capture.offset, record_id=capture.record_id
        )

    def asset_dropped(self, request: Request, spider: Spider) -> None:
        """An asset request the scheduler dropped (a duplicate) has no outcome of its own."""
        if request.meta.get("kind") == ASSET_KIND and self.asset_holds is not None:
            self.asset_holds.forget(request.url)

    def with_assets(
        self, found: Requisites | None, post: PostRecord
    ) -> Iterator[Request | PostRecord]:
        """The post's asset requests, then the post with its images."""
        if not self.assets_enabled or found is None:
            yield post
            return
        yield from self.asset_requests(found.urls)
        yield post.replace(images=[ImageRef(url=i.url, alt=i.alt) for i in found.images])

    def asset_requests(self, urls: Iterable[str]) -> Iterator[Request]:
        """Requests for the assets not asked for yet in this crawl, within its budget (none
        with assets off: a crawl resumed without them drops what its frontier left)."""
        for url in urls if self.assets_enabled else ():
            if url in self._assets_seen:
                continue
            self._assets_seen.add(url)
            if self._asset_fresh(url):
                self._asset_stat("fresh")
                self._settle(url, url)
                continue
            if self.assets_budget and self.assets_scheduled >= self.assets_budget:
                self._asset_stat("over_budget")
                self._settle(url, None)
                continue
            self.assets_scheduled += 1
            self._asset_stat("scheduled")
            if self.asset_holds is not None:
                self.asset_holds.expect(url)
            meta: dict[str, Any] = {
                "kind": ASSET_KIND,
                "allow_offsite": True,
                "conditional": True,
                "handle_httpstatus_list": ASSET_STATUSES,
            }
            if self.assets_max_bytes:
                meta["download_maxsize"] = self.assets_max_bytes
            yield Request(
                url,
                callback=self.parse_asset,
                errback=self.asset_failed,
                priority=ASSET_PRIORITY,
                meta=meta,
            )

    def _asset_fresh(self, url: str) -> bool:
        """Archived by an earlier crawl and still fresh: within the lifetime its last
        capture's ``Cache-Control``/``Expires`` give it since the server last answered,
        else within the site's ``revalidate_after`` (this URL's share of it)."""
        archive = self.crawler.get_extension(ArchiveExtension)
        if self.assets_fresh_for is None or archive is None:
            return False
        session = archive.session
        capture = session.history.last_capture(url)
        if capture is None:
            return False
        lifetime = captured_lifetime(session.data_dir / "warc", capture)
        if lifetime is None:
            return session.answered_within(url, self.assets_fresh_for)
        checked = parse_when(session.history.last_check(url) or capture.warc_date)
        return checked is not None and session.clock() - checked < lifetime

    def _settle(self, url: str, archived_as: str | None) -> None:
        if self.asset_holds is not None:
            self.asset_holds.settle(url, archived_as)

    def parse_asset(self, response: Response) -> Iterator[Request]:
        """Archived already by the capture path: counted and settled; a stylesheet's
        images and imported stylesheets are assets too."""
        asked = (response.meta.get("redirect_urls") or [response.url])[0]
        if response.status == 304:
            self._asset_stat("not_modified")
            self._settle(asked, response.url)
        elif response.status in ASSET_STATUSES:
            self._asset_stat("missing")
            self._settle(asked, None)
        else:
            self._asset_stat("fetched")
            self._settle(asked, response.url)
            content_type = (response.headers.get(b"Content-Type") or b"").lower()
            if content_type.startswith(b"text/css"):
                css = response.body.decode("utf-8", errors="replace")
                images, imports = css_requisites(response.url, css)
                yield from self.asset_requests([*imports, *images])

    def asset_failed(self, failure: Failure) -> list[PostRecord]:
        """An asset that cannot be had is no failure of the crawl: counted, logged at INFO.
        One that robots.txt forbids or of a type not wanted is skipped, not failed. The
        posts that waited for it last go on (an errback's items skip spider middlewares)."""
        skipped = isinstance(failure.value, IgnoreRequest | StopDownload)
        self._asset_stat("skipped" if skipped else "failed")
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        self.logger.info("asset not archived: %s: %s", url, failure.getErrorMessage())
        if request is None or self.asset_holds is None:
            return []
        self._settle((request.meta.get("redirect_urls") or [request.url])[0], None)
        return self.asset_holds.ready()

    def _asset_stat(self, name: str) -> None:
        stats = self.crawler.stats if hasattr(self, "crawler") else None
        if stats is not None:
            stats.inc_value(f"blogarchive/assets/{name}")


class AssetHoldMiddleware:
    """Holds captured posts until their images are settled (spider middleware right
    outside ``CaptureSpiderMiddleware``, which captures and versions them first), and
    passes on, after each response's output, the posts whose images now are."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ASSETS_ENABLED"):
            raise NotConfigured("ASSETS_ENABLED is off")
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        holds = getattr(self.crawler.spider, "asset_holds", None)
        async for output in result:
            if holds is None or not isinstance(output, PostRecord):
                yield output
                continue
            for post in holds.hold(output):
                yield post
        for post in holds.ready() if holds is not None else ():
            yield post


class AssetRobotsMiddleware:
    """Lets robots.txt requests past the offsite filter (downloader middleware before
    Scrapy's ``OffsiteMiddleware``, 50), and drops asset downloads of unwanted types.

    Scrapy asks for a host's robots.txt only for a request that already passed the offsite
    filter: an asset's host. Without this, the offsite filter drops that robots.txt request,
    and RobotsTxtMiddleware then allows everything on the host.
    """

    def __init__(self, types: tuple[str, ...]) -> None:
        self.types = types

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ASSETS_ENABLED"):
            raise NotConfigured("ASSETS_ENABLED is off")
        types = tuple(t.strip().lower() for t in settings.getlist("ASSETS_TYPES") if t.strip())
        middleware = cls(types)
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        return middleware

    def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            request.meta["allow_offsite"] = True

    def headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Any
    ) -> None:
        """An asset of a type not wanted (a video, an HTML error page) stops before its body."""
        if request.meta.get("kind") != ASSET_KIND or not self.types:
            return
        raw = headers.get(b"Content-Type") or b""
        kind = raw.decode("latin-1").split(";")[0].strip().lower()
        if kind and not any(kind.startswith(t) for t in self.types):
            raise StopDownload(fail=True)
