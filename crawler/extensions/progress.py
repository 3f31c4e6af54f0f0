"""Show crawl progress (pages, posts, errors) while a crawl runs."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Self

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extensions.runlog import crawl_counts

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ProgressExtension:
    """Reports pages, posts and errors every ``BLOGARCHIVE_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, crawler: Crawler, interval: float, to_stderr: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.to_stderr = to_stderr
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("BLOGARCHIVE_PROGRESS_ENABLED"):
            raise NotConfigured("BLOGARCHIVE_PROGRESS_ENABLED is off")
        interval = settings.getfloat("BLOGARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured(f"BLOGARCHIVE_PROGRESS_INTERVAL ({interval!r}) must be > 0")
        ext = cls(crawler, interval, settings.getbool("BLOGARCHIVE_PROGRESS_STDERR"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.report, spider)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.report(spider)

    def report(self, spider: Spider) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = crawl_counts(stats)
        line = (
            f"[{getattr(spider, 'site_name', spider.name)}] {time.monotonic() - self.started:.0f}s: "
            f"{counts['pages']} pages, {counts['posts']} posts, {counts['errors']} errors"
        )
        if self.to_stderr:
            print(line, file=sys.stderr, flush=True)
        else:
            logger.info(line)
