"""Resume after a crash: a spider middleware that keeps the frontier in SQLite.

Every request the spider schedules is recorded as pending, every response marks its
URL done (redirect hops included). A crawl that finishes clears the site's frontier;
one that was killed leaves it, and the next crawl of the site starts with what was
left. Already archived posts then cost a 304 or a revisit, never a second item.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from archive.session import ArchiveSession
from archive.state.frontier import Frontier
from crawler.capture.extension import session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ResumeMiddleware(BaseSpiderMiddleware):
    """Records the frontier as the crawl goes, and replays what a killed crawl left."""

    def __init__(self, crawler: Crawler, session: ArchiveSession) -> None:
        super().__init__(crawler)
        self.session = session
        self.frontier: Frontier | None = None
        self.broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("RESUME_ENABLED"):
            raise NotConfigured("RESUME_ENABLED is off")
        mw = cls(crawler, session_of(crawler, "ResumeMiddleware"))
        crawler.signals.connect(mw.response_received, signal=signals.response_received)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider: Any = self.crawler.spider
        self.frontier = self.session.frontier(str(getattr(spider, "site_name", "")))
        left = self.frontier.pending()
        if left and hasattr(spider, "resume_requests"):
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("blogarchive/resumed_urls", len(left))
            for request in spider.resume_requests(left):
                yield request
        async for item_or_request in start:
            if isinstance(item_or_request, Request):
                self._pending(item_or_request)
            yield item_or_request

    def get_processed_request(self, request: Request, response: Response | None) -> Request:
        self._pending(request)
        return request

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        for url in [*request.meta.get("redirect_urls", []), request.url]:
            self._record(Frontier.done, url)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.frontier is None:
            return
        if reason == "finished":
            self.broken = False  # there may be room again by now: worth one more try
            self._record(Frontier.clear)
        self.frontier = None

    def _pending(self, request: Request) -> None:
        kind = request.meta.get("kind")
        if kind:
            self._record(Frontier.add, request.url, str(kind))

    def _record(self, write: Callable[..., None], *args: str) -> None:
        """Write to the frontier; if it cannot be written, give it up, never the crawl."""
        if self.frontier is None or self.broken:
            return
        try:
            write(self.frontier, *args)
        except sqlite3.Error as exc:
            # A full disk: the crawl goes on (and the WARC writer decides whether it can);
            # only a crash-resume of this crawl is lost, and with it nothing archived.
            self.broken = True
            logger.error("cannot record the crawl frontier, resume is off for this crawl: %s", exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("blogarchive/resume/errors")
