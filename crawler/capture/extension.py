"""The crawl's archiving session in Scrapy: captures every request and response.

:class:`ArchiveExtension` opens one :class:`~archive.session.ArchiveSession` per crawl
(history, WARC writer, JSONL writer) and hands it to the middlewares, pipelines and
spider that need it (``crawler.get_extension(ArchiveExtension).session``).

The ``response_downloaded`` signal comes from the downloader before any downloader
middleware's ``process_response``, so the body is still as received (content-encoded).
What Scrapy does not keep: header-name casing (title-cased), the reason phrase (rebuilt
from the status code) and the connection headers Twisted consumes (``Transfer-Encoding``,
``Connection``, ``Keep-Alive``, ``Upgrade``): a chunked body arrives de-chunked, with no
``Transfer-Encoding`` and no ``Content-Length``, and is written so.

A 200 HTML response may be a post, so its capture waits until the spider has parsed it
(:class:`~crawler.capture.middleware.CaptureSpiderMiddleware` calls :meth:`flush`), and
is then written with a ``metadata`` record per post, in one unit. Everything else is
written at once.
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archive.records import PostRecord
from archive.session import ArchiveSession, ArchiveWriteError
from archive.warc.records import HttpExchange
from crawler.capture.exchange import exchange_from, is_html

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
TOKEN = "_warc_capture"
SWEEP_INTERVAL = 10.0
MAX_PENDING_AGE = 30.0  # a 200 HTML that never reached the spider (e.g. meta refresh)


@dataclass
class Pending:
    exchange: HttpExchange
    since: float


def session_of(crawler: Crawler, component: str) -> ArchiveSession:
    """The crawl's archiving session; ``NotConfigured`` for ``component`` without it."""
    extension = crawler.get_extension(ArchiveExtension)
    if extension is None:
        raise NotConfigured(f"{component} needs crawler.capture.extension.ArchiveExtension")
    return extension.session


def site_prefix(crawler: Crawler, spider: Spider) -> str:
    """File-name prefix of the crawl's WARC and JSONL files: SITE or SITE_TAG."""
    name = str(getattr(spider, "site_name", None) or spider.name)
    tag = crawler.settings.get("ARCHIVE_FILE_TAG")
    return f"{name}_{tag}" if tag else name


class ArchiveExtension:
    """Opens and closes the crawl's session; parks HTML captures until their posts come."""

    def __init__(
        self, crawler: Crawler, session: ArchiveSession, warc_options: dict[str, Any] | None
    ) -> None:
        self.crawler = crawler
        self.session = session
        self.warc_options = warc_options
        self.capturing = False
        self.pending: dict[int, Pending] = {}
        self._tokens = itertools.count(1)
        self._sweeper: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        session = ArchiveSession(
            Path(settings.get("ARCHIVE_DIR")),
            dedup=settings.getbool("ARCHIVE_DEDUP_ENABLED"),
            count=lambda key, n: _inc(crawler, key, n),
        )
        ext = cls(crawler, session, _warc_options(settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        # Last: other components' spider_closed handlers still write to the history.
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        if self.warc_options is None:
            return
        name = str(getattr(spider, "site_name", spider.name))
        self.session.open_warc(
            prefix=site_prefix(self.crawler, spider),
            warcinfo={
                "isPartOf": name,
                "description": f"blogarchive crawl of {getattr(spider, 'start_url', '')}",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "crawl-id": getattr(spider, "crawl_id", ""),
                "config-digest": getattr(spider, "config_digest", ""),
            },
            **self.warc_options,
        )
        self.capturing = True
        self._sweeper = task.LoopingCall(self._sweep, MAX_PENDING_AGE)
        self._sweeper.start(SWEEP_INTERVAL, now=False)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if not self.capturing or self.session.failed:
            return
        fetched_at = datetime.now(UTC)
        request.meta["fetched_at"] = fetched_at.isoformat(timespec="seconds")
        exchange = exchange_from(request, response, fetched_at)
        if response.status == 200 and is_html(response):
            token = next(self._tokens)
            request.meta[TOKEN] = token
            self.pending[token] = Pending(exchange, time.monotonic())
        else:
            self._capture(exchange, [])

    def flush(self, request: Request, posts: list[PostRecord]) -> list[PostRecord]:
        """Archive a parked capture with its posts; returns the posts to commit."""
        # None after a WARC write failed: then the session archives nothing, and the next
        # crawl fetches the page again.
        pending = self.pending.pop(request.meta.get(TOKEN, -1), None)
        return self._capture(pending.exchange if pending else None, posts)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._sweeper is not None and self._sweeper.running:
            self._sweeper.stop()
        self._sweep(max_age=-1)
        self.session.finish()
        if self.session.warc is not None:
            _set(
                self.crawler, "archive/warc/files", [p.name for p in self.session.warc.closed_files]
            )
        jsonl = self.session.jsonl
        if jsonl is not None and jsonl.path is not None:
            _set(self.crawler, "archive/jsonl/file", jsonl.path.name)

    def engine_stopped(self) -> None:
        self.session.close()

    def _sweep(self, max_age: float) -> None:
        now = time.monotonic()
        for token, pending in list(self.pending.items()):
            if now - pending.since > max_age:
                del self.pending[token]
                self._capture(pending.exchange, [])

    def _capture(self, exchange: HttpExchange | None, posts: list[PostRecord]) -> list[PostRecord]:
        try:
            kept = self.session.capture(exchange, posts)
        except ArchiveWriteError as exc:
            self._stop(exc)
            return []
        if self.session.warc is not None:
            _set(self.crawler, "archive/warc/bytes", self.session.warc.bytes_written)
        return kept

    def _stop(self, exc: OSError) -> None:
        """Stop the crawl: pages we cannot archive must not be fetched."""
        logger.error("WARC write failed, stopping the crawl: %s", exc)
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="warc_write_failed"))


def _warc_options(settings: Any) -> dict[str, Any] | None:
    """The WARC writer's options, or None when WARC capture is off."""
    if not settings.getbool("ARCHIVE_WARC_ENABLED"):
        return None
    options = {
        "max_size": settings.getint("ARCHIVE_WARC_MAX_SIZE"),
        "gzip_level": settings.getint("ARCHIVE_WARC_GZIP_LEVEL"),
        "fsync": settings.get("ARCHIVE_WARC_FSYNC"),
        "fsync_interval": settings.getfloat("ARCHIVE_WARC_FSYNC_INTERVAL"),
        "append": settings.getbool("ARCHIVE_WARC_APPEND"),
    }
    if options["max_size"] <= 0 or not 0 <= options["gzip_level"] <= 9:
        raise NotConfigured(
            f"ARCHIVE_WARC_MAX_SIZE ({options['max_size']!r}) must be > 0 and "
            f"ARCHIVE_WARC_GZIP_LEVEL ({options['gzip_level']!r}) within 0..9"
        )
    return options


def _inc(crawler: Crawler, key: str, count: int) -> None:
    if crawler.stats is not None:
        crawler.stats.inc_value(key, count)


def _set(crawler: Crawler, key: str, value: object) -> None:
    if crawler.stats is not None:
        crawler.stats.set_value(key, value)
