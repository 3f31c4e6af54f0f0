"""Keep Python's cyclic garbage collector off the objects a crawl holds for its whole run.

A crawl process imports Scrapy, Twisted, lxml, trafilatura and tantivy and builds its
components before the first request: hundreds of thousands of long-lived objects that
every full collection walks again, while each page allocates thousands of short-lived ones
(trees, requests, records) that trigger collections. When the engine starts, the extension
moves everything alive into the permanent generation (``gc.freeze``) and raises the
young-generation threshold, so collections are fewer and only walk the crawl's own
objects. On the 600-post fixture blog this took about 7% of the crawl's CPU time (see
``benchmarks/README.md``); peak memory did not change. Stopping the engine restores the
collector as it was.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class _Collector:
    """The process's collector settings, tuned while at least one crawl's engine runs
    (a ``CrawlerProcess`` may run several crawls at once)."""

    def __init__(self) -> None:
        self.running = 0
        self.saved: tuple[int, int, int] | None = None

    def tune(self, threshold: int) -> None:
        self.running += 1
        if self.running > 1 or not gc.isenabled():
            return  # done by a crawl already running, or collection is off by choice
        self.saved = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(threshold, *self.saved[1:])
        logger.debug("gc: %d objects frozen, threshold %d", gc.get_freeze_count(), threshold)

    def restore(self) -> None:
        self.running = max(0, self.running - 1)
        if self.running or self.saved is None:
            return
        gc.set_threshold(*self.saved)
        gc.unfreeze()
        self.saved = None


COLLECTOR = _Collector()


class GcExtension:
    """Freezes the objects alive at engine start; collects young objects every
    ``BLOGARCHIVE_GC_THRESHOLD`` allocations instead of every 700."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._started = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("BLOGARCHIVE_GC_ENABLED"):
            raise NotConfigured("BLOGARCHIVE_GC_ENABLED is off")
        threshold = settings.getint("BLOGARCHIVE_GC_THRESHOLD")
        if threshold < 1:
            raise NotConfigured(f"BLOGARCHIVE_GC_THRESHOLD ({threshold!r}) must be at least 1")
        extension = cls(threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        if not self._started:
            self._started = True
            COLLECTOR.tune(self.threshold)

    def engine_stopped(self) -> None:
        if self._started:
            self._started = False
            COLLECTOR.restore()
