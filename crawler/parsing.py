"""Where a crawl's pages are parsed: inline, or in worker processes on other cores.

Parsing (one lxml parse, link discovery, extraction) is about half of a crawl's CPU
time, and a Scrapy crawl runs on one core: with 30 ms per request and 8 connections, a
crawl waits on its own CPU, not on the network. :class:`PageReader` hands pages to
``PARSE_WORKERS`` worker processes (:func:`crawler.parsers.reading.read_page`, no
Scrapy), shared by every crawl of the process, so that the crawl's own process fetches
and archives while another core parses.

A worker is a fresh interpreter (``spawn``: no copy of the crawl's open files, locks or
threads) that costs about 0.3 s of CPU to start. So a crawl parses its first
``PARSE_WORKERS_AFTER`` pages itself, starts the workers then, and goes on parsing
inline until they have answered a first page: a small crawl never pays for them. Nor
does a polite one: the workers start only while the process has been busy for
``PARSE_WORKERS_BUSY`` of the time since the crawl opened. A worker that dies (killed, out
of memory) is logged; the crawl parses inline from then on and loses nothing. Off by
default (``PARSE_WORKERS = 0``): the wall time it saves costs CPU and memory (README).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import time
from collections.abc import Awaitable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.utils.reactor import is_asyncio_reactor_installed

from crawler.parsers import worker
from crawler.parsers.reading import Reading, read_page

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

__all__ = ["POOL", "PageReader"]

logger = logging.getLogger(__name__)


class _Pool:
    """The process's parsing workers, shared by its crawls, stopped with the last one."""

    def __init__(self) -> None:
        self.users = 0
        self.executor: ProcessPoolExecutor | None = None
        self.ready = False
        self.failed = False

    def acquire(self) -> None:
        self.users += 1

    def release(self) -> None:
        self.users = max(0, self.users - 1)
        if not self.users:
            self.stop()

    def start(self, workers: int) -> None:
        """Start the workers (once); they take pages once they have read a first one."""
        if self.executor is not None or self.failed:
            return
        context = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=worker.initialize, initargs=(os.getpid(),)
        )
        warm = [self.executor.submit(worker.warm_up) for _ in range(workers)]
        warm[-1].add_done_callback(functools.partial(self._warmed, self.executor))
        logger.info("parsing in %d worker process(es) from now on", workers)

    def _warmed(self, executor: ProcessPoolExecutor, future: Future[int]) -> None:
        # Called in the executor's thread: a plain flag, read by the crawl's thread.
        if executor is not self.executor:  # stopped meanwhile (its warm-up cancelled)
            return
        if not future.cancelled() and future.exception() is None:
            self.ready = True
        else:
            self.failed = True

    def submit(self, *args: Any, **kwargs: Any) -> Future[Reading] | None:
        """The page's reading to come, or None: parse it inline."""
        if not self.ready or self.executor is None or self.failed:
            return None
        try:
            return self.executor.submit(read_page, *args, **kwargs)
        except (BrokenProcessPool, RuntimeError) as exc:
            self.broken(exc)
            return None

    def broken(self, exc: BaseException) -> None:
        """A worker died: parse inline from now on (the crawl loses nothing)."""
        if not self.failed:
            logger.error("a parsing worker died (%s); parsing in the crawl's process", exc)
        self.failed = True
        self.ready = False

    def stop(self) -> None:
        executor, self.executor = self.executor, None
        self.ready = self.failed = False
        if executor is not None:
            # Waits for the workers to exit, so that their CPU time is the crawl's.
            executor.shutdown(wait=True, cancel_futures=True)


POOL = _Pool()


class PageReader:
    """A crawl's way to read pages: inline until ``after`` pages, then in ``POOL``."""

    def __init__(
        self,
        workers: int = 0,
        after: int = 0,
        busy: float = 0.0,
        pool: _Pool = POOL,
        stats: StatsCollector | None = None,
    ) -> None:
        self.workers = workers
        self.after = after
        self.busy = busy
        self._since = (time.monotonic(), time.process_time())
        self.pool = pool
        self.stats = stats
        self.count = 0
        """Pages read so far."""
        self.open = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Workers as the ``PARSE_WORKERS*`` settings say, from the spider's opening on."""
        settings = crawler.settings
        workers, after = settings.getint("PARSE_WORKERS"), settings.getint("PARSE_WORKERS_AFTER")
        reader = cls(workers, after, settings.getfloat("PARSE_WORKERS_BUSY"))
        crawler.signals.connect(reader.opened, signal=signals.spider_opened)
        crawler.signals.connect(reader.closed, signal=signals.spider_closed)
        return reader

    def opened(self, spider: Spider | None = None) -> None:
        """The crawl started: it shares the pool from now on."""
        if spider is not None and spider.crawler.stats is not None:
            self.stats = spider.crawler.stats
        if self.workers < 1 or self.open:
            return
        if not is_asyncio_reactor_installed():  # a worker's answer is an asyncio future
            logger.info("parsing inline: parsing workers need Scrapy's asyncio reactor")
            return
        self.open = True
        self._since = (time.monotonic(), time.process_time())
        self.pool.acquire()

    def closed(self) -> None:
        if self.open:
            self.open = False
            self.pool.release()

    def read(self, url: str, body: bytes, **kwargs: Any) -> Reading | Awaitable[Reading]:
        """The page's reading: now, or to be awaited from a worker."""
        self.count += 1
        if self.open and self.count > self.after and self._waiting_on_cpu():
            self.pool.start(self.workers)
        future = self.pool.submit(url, body, **kwargs) if self.open else None
        if future is None:
            return read_page(url, body, **kwargs)
        return self._wait(future, url, body, kwargs)

    def _waiting_on_cpu(self) -> bool:
        """Whether the process has been busy for ``busy`` of the time since the crawl
        opened: a polite crawl (a delay between requests) waits on the network, and a
        worker would only cost it memory and CPU."""
        if self.pool.executor is not None:
            return True
        wall, cpu = time.monotonic() - self._since[0], time.process_time() - self._since[1]
        return wall > 0 and cpu >= self.busy * wall

    async def _wait(
        self, future: Future[Reading], url: str, body: bytes, kwargs: dict[str, Any]
    ) -> Reading:
        try:
            reading = await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self.pool.broken(exc)
            return read_page(url, body, **kwargs)
        if self.stats is not None:
            self.stats.inc_value("blogarchive/pages/parsed_by_worker")
        return reading
