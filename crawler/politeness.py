"""Honour a site's own pacing: robots.txt ``Crawl-delay`` and ``Retry-After``.

Scrapy obeys robots.txt rules but not its ``Crawl-delay``, and retries a 429 or 503
without waiting for its ``Retry-After``. This downloader middleware spaces requests to
a host by the larger of the two, capped by ``POLITENESS_MAX_DELAY``.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def parse_retry_after(value: str, now: float) -> float | None:
    """Seconds to wait, from ``Retry-After: 120`` or an HTTP date; None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


class PolitenessMiddleware:
    """Waits before a request when the host asked for a crawl delay or to retry later."""

    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.crawl_delay: dict[str, float] = {}
        self.next_allowed: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("POLITENESS_ENABLED"):
            raise NotConfigured("POLITENESS_ENABLED is off")
        max_delay = settings.getfloat("POLITENESS_MAX_DELAY")
        if max_delay <= 0:
            raise NotConfigured(f"POLITENESS_MAX_DELAY ({max_delay!r}) must be > 0")
        return cls(crawler, settings.get("USER_AGENT"), max_delay)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        now = time.monotonic()
        start = max(now, self.next_allowed.get(host, 0.0))
        self.next_allowed[host] = start + self.crawl_delay.get(host, 0.0)
        while time.monotonic() < start:
            # Short naps, so a graceful stop (SIGINT) drops the waiting requests at once.
            if not self.crawler.crawling:
                raise IgnoreRequest("the crawl is stopping")
            nap = min(0.25, start - time.monotonic())
            await maybe_deferred_to_future(task.deferLater(reactor, max(0.0, nap), lambda: None))

    def process_response(self, request: Request, response: Response) -> Response:
        host = urlsplit(request.url).netloc
        if request.url.endswith("/robots.txt") and response.status == 200:
            self._read_crawl_delay(host, response.body)
        elif response.status in (429, 503) and b"Retry-After" in response.headers:
            self._hold(host, (response.headers.get(b"Retry-After") or b"").decode("latin-1"))
        return response

    def _read_crawl_delay(self, host: str, body: bytes) -> None:
        delay = Protego.parse(body.decode("utf-8", errors="replace")).crawl_delay(self.user_agent)
        if delay:
            self.crawl_delay[host] = min(float(delay), self.max_delay)
            logger.info("%s asks for a crawl delay of %.1f s", host, self.crawl_delay[host])

    def _hold(self, host: str, value: str) -> None:
        wait = parse_retry_after(value, time.time())
        if wait is None:
            return
        wait = min(wait, self.max_delay)
        self.next_allowed[host] = max(self.next_allowed.get(host, 0.0), time.monotonic() + wait)
        logger.info("%s asks to retry after %.0f s", host, wait)
