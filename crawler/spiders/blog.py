"""The ``blog`` spider: routes feeds, sitemaps and listings to post pages.

It only routes: discovery and extraction live in :mod:`crawler.parsers`.
Run it as ``scrapy crawl blog -a site=NAME`` or ``-a url=URL`` (``blogarchive crawl``
runs the same spider).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.records import PostRecord
from archive.session import Freshness
from crawler.capture.extension import ArchiveExtension
from crawler.config import SiteConfig, resolve_site
from crawler.parsers import FEED_PROBES, SITEMAP_PROBES, page_for
from crawler.parsers.navigation import (
    MAX_SITEMAP_BYTES,
    FeedEntry,
    Links,
    clean_url,
    feed_links,
    robots_sitemaps,
    sitemap_links,
)
from crawler.parsers.reading import Reading, read_page
from crawler.parsing import PageReader
from crawler.spiders.assets import ASSET_KIND, AssetSpider

# IgnoreRequest that means a page was lost: size limits and redirect caps.
_COUNTED_IGNORES = ("MAXSIZE", "maxsize", "max redirections")
MISSING_OK = [404, 410]
NOT_MODIFIED = 304
# Discovery first, so that a bounded crawl spends its budget on posts it knows about.
# Pages found only by exploring the site's navigation come last.
PRIORITY = {"robots": 40, "sitemap": 30, "feed": 30, "listing": 25, "post": 20, "explore": 15}
_HELD = frozenset({"post", "listing", "explore"})
# Share of a bounded crawl's page budget that exploration may take.
EXPLORE_SHARE = 0.5
Output = Request | PostRecord


class BlogSpider(AssetSpider):
    """Crawls one blog: a site from ``config/sites.toml`` or a bare URL."""

    name = "blog"

    def __init__(
        self,
        site: str | SiteConfig | None = None,
        url: str | None = None,
        config: str | None = None,
        platform: str | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site = resolve_site(site, url, config, platform)
        self.site_name = self.site.name
        self.start_url = self.site.url
        self.platform = self.site.platform if self.site.platform != "auto" else None
        limit = max_pages if max_pages is not None else self.site.max_pages
        self.max_pages = int(limit) if limit else None
        self.allowed_domains = [self.site.host, *self.site.allowed_hosts]
        self.crawl_id = uuid.uuid4().hex
        self.config_digest = self.site.digest
        self._seen: set[str] = set()
        # Posts a feed or sitemap date spared: a newer date found later still fetches them.
        self._spared: set[str] = set()
        self._entries: dict[str, FeedEntry] = {}
        self._site_authors: tuple[str, ...] = ()
        # The home page's links wait for the discovery probes: the feeds say which pages
        # are posts and who wrote them, so they are read before those pages are parsed.
        self._probing = 0
        self._held: list[Request] = []
        self.scheduled = 0
        self.explored = 0
        self.incremental = False
        self.revalidate_all = False
        self.reader = PageReader()  # inline; from_crawler sets up the parsing workers

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("config", crawler.settings.get("SITES_CONFIG"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.apply_site_settings(crawler.settings)
        settings = crawler.settings
        spider.incremental = settings.getbool("INCREMENTAL_ENABLED") and settings.getbool(
            "ARCHIVE_DEDUP_ENABLED"
        )
        spider.revalidate_all = settings.getbool("INCREMENTAL_REVALIDATE_ALL")
        spider.setup_assets(settings)
        spider.reader = PageReader.from_crawler(crawler)
        crawler.signals.connect(spider.asset_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.response_received, signal=signals.response_received)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def apply_site_settings(self, settings: Any) -> None:
        """The site's politeness, below ``-s`` (cmdline) so a command line still wins."""
        site = self.site
        if site.delay is not None:
            settings.set("DOWNLOAD_DELAY", site.delay, priority="spider")
        if site.concurrency is not None:
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", site.concurrency, priority="spider")
        if site.robots == "ignore":
            settings.set("ROBOTSTXT_OBEY", False, priority="spider")
        if site.asset_types is not None:
            settings.set("ASSETS_TYPES", site.asset_types, priority="spider")
        # One site per crawl: requests past one host's concurrency would only wait in the
        # downloader's first-in-first-out queue, where the scheduler's priorities (listing
        # pages before posts) no longer reach them.
        per_host = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        settings.set("CONCURRENT_REQUESTS", per_host, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        for request in self._home_requests():
            yield request

    def _home_requests(self) -> Iterator[Request]:
        yield from self._follow([self.start_url], self.parse_home, "listing")
        if not self.settings.getbool("ROBOTSTXT_OBEY"):
            # With robots.txt obeyed, Scrapy fetches it anyway; response_received sees it.
            robots = urljoin(self.start_url, "/robots.txt")
            yield from self._follow([robots], self.parse_robots, "robots", probe=True)

    def resume_requests(self, left: list[tuple[str, str]]) -> Iterator[Request]:
        """Requests for what a killed crawl of this site left in its frontier."""
        callbacks = {
            "post": self.parse_page,
            "listing": self.parse_page,
            "explore": self.parse_page,
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "robots": self.parse_robots,
        }
        for url, kind in left:
            if kind == ASSET_KIND:
                yield from self.asset_requests([url])
            elif kind in callbacks:
                probe = kind in ("feed", "sitemap", "robots")
                yield from self._follow([url], callbacks[kind], kind, probe=probe)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Read ``Sitemap:`` lines from the robots.txt that Scrapy's middleware fetched."""
        if spider is not self or not response.url.endswith("/robots.txt"):
            return
        if urlsplit(response.url).hostname != self.site.host or response.status != 200:
            return
        engine = self.crawler.engine
        for request_ in self._follow(
            robots_sitemaps(response.url, response.body), self.parse_sitemap, "sitemap", probe=True
        ):
            engine.crawl(request_)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status == 200:
            sitemaps = robots_sitemaps(response.url, response.body)
            yield from self._follow(sitemaps, self.parse_sitemap, "sitemap", probe=True)

    def parse_home(self, response: Response) -> Iterator[Request | PostRecord]:
        """The start page: note its platform and probe for feeds, then route it as any page
        (one parse serves both). Its request accepts no error status, so none gets here."""
        if isinstance(response, TextResponse):
            reading = read_page(response.url, response.body, **self._reading(response))
            yield from self._discover(reading)
            yield from self._hold(self._route(reading, response))

    def _hold(self, found: Iterator[Request | PostRecord]) -> Iterator[Request | PostRecord]:
        """Pages wait while discovery probes are out; feeds and sitemaps go on."""
        for each in found:
            if isinstance(each, Request) and self._probing and each.meta["kind"] in _HELD:
                self._held.append(each)
            else:
                yield each

    def _probe_done(self, request: Request | None) -> list[Request]:
        """One discovery probe answered: past the last, the held links, to be yielded (so
        that the spider middlewares, the resume frontier among them, see them)."""
        if request is None or not request.meta.get("discovery") or self._probing <= 0:
            return []
        self._probing -= 1
        if self._probing:
            return []
        held, self._held = self._held, []
        return held

    def spider_idle(self, spider: Spider) -> None:
        """A probe Scrapy dropped without a callback must not keep the home's links waiting."""
        if spider is self and self._held:
            held, self._held, self._probing = self._held, [], 0
            for request in held:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def parse_page(self, response: Response) -> Iterable[Output] | AsyncIterator[Output]:
        """Any HTML page: follow its links, and yield its item if it is a post or a page.
        Read inline, or (an asynchronous callback) by a parsing worker."""
        if response.status == NOT_MODIFIED:
            self._stat("blogarchive/pages/not_modified")
            return ()
        if not isinstance(response, TextResponse) or response.status in MISSING_OK:
            return ()
        reading = self.reader.read(response.url, response.body, **self._reading(response))
        if isinstance(reading, Reading):
            return self._route(reading, response)
        return self._route_later(reading, response)

    async def _route_later(
        self, pending: Awaitable[Reading], response: TextResponse
    ) -> AsyncIterator[Output]:
        for output in self._route(await pending, response):
            yield output

    def _reading(self, response: TextResponse) -> dict[str, Any]:
        """How to read a response: its platform, its encoding, whether with requisites."""
        return {"encoding": response.encoding, "requisites": self.assets_enabled,
                "platform": self.platform or "auto"}  # fmt: skip

    def _route(self, page: Reading, response: Response) -> Iterator[Output]:
        """Follow the page's links; yield its item if it is a post or a page."""
        links = page.links
        yield from self._follow_links(links)
        kind = page.kind
        if self._feed_entry(page.url) is not None:
            kind = kind.in_feed()
        # Section pages, archives, tags, about pages: the blog's own navigation, explored
        # breadth-first after what feeds, sitemaps and listings name.
        yield from self._follow(links.other, self.parse_page, "explore")
        if not kind.is_item or page.record is None:  # (a reading has the record of any item)
            self.logger.debug("not a post: %s (%s)", page.url, kind.reason)
            self._stat("blogarchive/pages/not_post")
            return
        canonical = page.canonical_elsewhere(self._in_scope)
        if canonical:
            # A copy (?utm_…, a print view): archive the post at its canonical address.
            self._stat("blogarchive/pages/canonical_elsewhere")
            yield from self._follow([canonical], self.parse_page, "post")
            return
        post = self._finish(self._with_feed_entry(page.record.replace(kind=kind.kind)), response)
        yield from self.with_assets(page.requisites, post)

    def _with_feed_entry(self, post: PostRecord) -> PostRecord:
        """Authors and date from the blog's own feed, where the page does not state them:
        the post's entry, else the feed's own author (a one-author blog's feed)."""
        if post.authors and post.published:
            return post
        entry = self._feed_entry(post.url, post.canonical_url) or FeedEntry()
        authors = post.authors or list(entry.authors) or list(self._site_authors)
        published = post.published or entry.published
        # The content hash stays the page's own: whether a feed was read before the page
        # depends on timing, and must never make a new version of an unchanged post.
        return post.replace(authors=authors, published=published)

    def _feed_entry(self, *urls: str | None) -> FeedEntry | None:
        """The feed entry of a page, by its URL or canonical URL; ``/x/index.html`` is
        ``/x/`` on the static hosts that serve both."""
        for url in urls:
            for form in (url, url.removesuffix("index.html")) if url else ():
                entry = self._entries.get(clean_url(form))
                if entry is not None:
                    return entry
        return None

    def parse_feed(self, response: Response) -> Iterator[Request | PostRecord]:
        yield from self._hold(self._read_feed(response))
        yield from self._probe_done(response.request)

    def _read_feed(self, response: Response) -> Iterator[Request]:
        if response.status in MISSING_OK:
            self._stat("blogarchive/probes/missing")
            return
        links = feed_links(response.url, response.body)
        for url, entry in links.entries.items():
            self._entries.setdefault(clean_url(url), entry)
        if not self._site_authors and self._in_scope(response.url):
            self._site_authors = links.site_authors()
        if (
            not links.posts
            and isinstance(response, TextResponse)
            and b"<html" in response.body[:2048].lower()
        ):
            platform = self.platform or "auto"  # its links only: no record, no requisites
            page = page_for(
                response.url, response.body, platform=platform, encoding=response.encoding
            )
            yield from self._follow_links(page.links())
            return
        yield from self._follow(links.posts, self.parse_page, "post", lastmod=links.lastmod)
        yield from self._follow(links.pages, self.parse_feed, "feed", probe=True)

    def parse_sitemap(self, response: Response) -> Iterator[Request | PostRecord]:
        yield from self._hold(self._read_sitemap(response))
        yield from self._probe_done(response.request)

    def _read_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status in MISSING_OK:
            self._stat("blogarchive/probes/missing")
            return
        links = sitemap_links(response.url, response.body)
        yield from self._follow(links.sitemaps, self.parse_sitemap, "sitemap", probe=True)
        yield from self._follow(links.posts, self.parse_page, "post", lastmod=links.lastmod)

    def request_failed(self, failure: Failure) -> None:
        """Log a failed page in one line; count the ones Scrapy's stats leave out."""
        if isinstance(failure.value, HttpError):
            raise failure.value  # HttpErrorMiddleware counts and logs these
        reason = failure.getErrorMessage()
        if isinstance(failure.value, IgnoreRequest):
            if not any(mark in reason for mark in _COUNTED_IGNORES):
                return  # robots.txt and offsite filtering are policy, not failures
            self._stat("blogarchive/requests/ignored")
        request = getattr(failure, "request", None)
        self.logger.warning("failed: %s: %s", getattr(request, "url", "?"), reason)

    def probe_failed(self, failure: Failure) -> list[Request]:
        """A feed or sitemap that cannot be fetched is normal: note it, go on."""
        self._stat("blogarchive/probes/failed")
        self.logger.info("discovery probe failed: %s", failure.getErrorMessage())
        return self._probe_done(getattr(failure, "request", None))

    def _discover(self, page: Reading) -> Iterator[Request]:
        """On the home page: note its platform, then ask for the feeds it advertises and the
        usual feeds and sitemaps of every platform, whatever its own (a missing one costs
        one 404)."""
        if self.platform is None:
            self.platform = page.platform
            self.logger.info("%s: platform detected: %s", self.site_name, self.platform)
        feeds = page.links.feeds + [urljoin(page.url, p) for p in FEED_PROBES]
        sitemaps = [urljoin(page.url, p) for p in SITEMAP_PROBES]
        for request in [
            *self._follow(feeds, self.parse_feed, "feed", probe=True),
            *self._follow(sitemaps, self.parse_sitemap, "sitemap", probe=True),
        ]:
            request.meta["discovery"] = True
            self._probing += 1
            yield request

    def _follow_links(self, links: Links) -> Iterator[Request]:
        yield from self._follow(links.posts, self.parse_page, "post")
        yield from self._follow(links.pages, self.parse_page, "listing")

    def _follow(
        self,
        urls: Iterable[str],
        callback: Any,
        kind: str,
        *,
        probe: bool = False,
        lastmod: dict[str, str] | None = None,
    ) -> Iterator[Request]:
        """Requests for new in-scope URLs, within the page budget."""
        for raw in urls:
            url = clean_url(raw)
            if url in self._seen or not self._in_scope(url):
                continue
            fresh = self._fresh(url, lastmod.get(raw) if lastmod else None)
            if fresh is Freshness.SKIP:
                continue
            if self._over_budget(kind):
                self._stat("blogarchive/requests/over_budget")
                continue
            self._seen.add(url)
            self.scheduled += 1
            self.explored += kind == "explore"
            meta: dict[str, Any] = {}
            if probe:
                meta["handle_httpstatus_list"] = MISSING_OK
            elif kind == "post":
                # Unchanged posts may answer 304 to the conditional request.
                meta.update(conditional=True, handle_httpstatus_list=[NOT_MODIFIED])
            meta["kind"] = kind
            if fresh is Freshness.REVALIDATE:
                meta["revalidation"] = True
                self._stat("archive/posts/revalidated")
            if kind == "sitemap":
                meta["download_maxsize"] = MAX_SITEMAP_BYTES
            yield Request(
                url,
                callback=callback,
                errback=self.probe_failed if probe else self.request_failed,
                priority=PRIORITY[kind],
                meta=meta,
            )

    def _fresh(self, url: str, lastmod: str | None) -> Freshness:
        """Fetch, skip or revalidate a post by its feed or sitemap date. Feeds and sitemaps
        may disagree, and which is read first is down to timing: a post one date spared is
        fetched when another dates it later."""
        if url in self._spared and lastmod is None:
            return Freshness.SKIP
        archive = self.crawler.get_extension(ArchiveExtension) if self.incremental else None
        fresh = Freshness.FETCH
        if archive is not None and lastmod:
            every = None if self.revalidate_all else self.site.revalidate_after
            fresh = archive.session.freshness(url, lastmod, revalidate_after=every)
        if fresh is Freshness.SKIP and url not in self._spared:
            self._spared.add(url)
            self._stat("blogarchive/requests/unchanged_skipped")
        elif fresh is not Freshness.SKIP and url in self._spared:
            self._spared.discard(url)
            self._stat("blogarchive/requests/unchanged_skipped", -1)
        return fresh

    def _over_budget(self, kind: str) -> bool:
        """Past ``max_pages``, or past exploration's share of it."""
        if self.max_pages is None:
            return False
        if kind == "explore" and self.explored >= self.max_pages * EXPLORE_SHARE:
            return True
        return self.scheduled >= self.max_pages

    def _in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed_domains

    def _finish(self, post: PostRecord, response: Response) -> PostRecord:
        fetched = response.meta.get("fetched_at") or datetime.now(UTC).isoformat(timespec="seconds")
        return post.replace(site=self.site_name, fetched_at=fetched)

    def _stat(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)
