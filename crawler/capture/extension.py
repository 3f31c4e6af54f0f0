"""Capture every request and response into WARC files, with revisits and metadata.

The ``response_downloaded`` signal comes from the downloader before any downloader
middleware's ``process_response``, so the body is still as received (content-encoded).
What Scrapy does not keep: header-name casing (title-cased), the reason phrase (rebuilt
from the status code) and chunk framing (the body is de-chunked; the header is kept
renamed).

A 200 HTML response may be a post, so its capture waits until the spider has parsed it
(:class:`~crawler.capture.middleware.CaptureSpiderMiddleware` calls :meth:`flush`), and
is then written with a ``metadata`` record per post, in one unit. Everything else is
written at once. A capture whose payload equals the URL's last capture becomes an
``identical-payload-digest`` revisit; a 304 a ``server-not-modified`` revisit.
"""

from __future__ import annotations

import itertools
import json
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

from archive.history import HISTORY_FILE, Capture, History
from archive.records import PostRecord, WarcRef
from archive.warc import WarcFileWriter, WrittenCapture
from archive.warc_records import PROFILE_NOT_MODIFIED, HttpExchange, RevisitOf
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


class WarcCaptureExtension:
    """Writes captures; stores each post's WARC pointer and version on the item."""

    def __init__(
        self,
        crawler: Crawler,
        directory: Path,
        history: History | None,
        writer_options: dict[str, Any],
    ) -> None:
        self.crawler = crawler
        self.directory = directory
        self.history = history
        self.writer_options = writer_options
        self.writer: WarcFileWriter | None = None
        self.pending: dict[int, Pending] = {}
        self.failed = False
        self._tokens = itertools.count(1)
        self._sweeper: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        options = {
            "max_size": settings.getint("ARCHIVE_WARC_MAX_SIZE"),
            "gzip_level": settings.getint("ARCHIVE_WARC_GZIP_LEVEL"),
            "fsync": settings.get("ARCHIVE_WARC_FSYNC"),
            "fsync_interval": settings.getfloat("ARCHIVE_WARC_FSYNC_INTERVAL"),
        }
        if options["max_size"] <= 0 or not 0 <= options["gzip_level"] <= 9:
            raise NotConfigured(
                f"ARCHIVE_WARC_MAX_SIZE ({options['max_size']!r}) must be > 0 and "
                f"ARCHIVE_WARC_GZIP_LEVEL ({options['gzip_level']!r}) within 0..9"
            )
        data_dir = Path(settings.get("ARCHIVE_DIR"))
        history = (
            History(data_dir / HISTORY_FILE) if settings.getbool("ARCHIVE_DEDUP_ENABLED") else None
        )
        ext = cls(crawler, data_dir / "warc", history, options)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        name = getattr(spider, "site_name", spider.name)
        tag = settings.get("ARCHIVE_FILE_TAG")
        self.writer = WarcFileWriter(
            self.directory,
            prefix=f"{name}_{tag}" if tag else name,
            warcinfo={
                "isPartOf": name,
                "description": f"blogarchive crawl of {getattr(spider, 'start_url', '')}",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "crawl-id": getattr(spider, "crawl_id", ""),
                "config-digest": getattr(spider, "config_digest", ""),
            },
            **self.writer_options,
        )
        self._sweeper = task.LoopingCall(self._sweep, MAX_PENDING_AGE)
        self._sweeper.start(SWEEP_INTERVAL, now=False)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None or self.failed:
            return
        fetched_at = datetime.now(UTC)
        request.meta["fetched_at"] = fetched_at.isoformat(timespec="seconds")
        exchange = exchange_from(request, response, fetched_at)
        if response.status == 200 and is_html(response):
            token = next(self._tokens)
            request.meta[TOKEN] = token
            self.pending[token] = Pending(exchange, time.monotonic())
        else:
            self._write(exchange, [])

    def flush(self, request: Request, items: list[PostRecord]) -> list[PostRecord]:
        """Write a deferred capture with its posts; returns the posts to keep."""
        pending = self.pending.pop(request.meta.get(TOKEN, -1), None)
        if pending is None:
            # Downloaded after a WARC write failed: not archived, so no item (the next crawl
            # fetches it again).
            return [] if self.failed else items
        return self._write(pending.exchange, items)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._sweeper is not None and self._sweeper.running:
            self._sweeper.stop()
        self._sweep(max_age=-1)
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError as exc:
                logger.error("could not close WARC file cleanly: %s", exc)
            self._stats_set("archive/warc/files", [p.name for p in self.writer.closed_files])
        if self.history is not None:
            self.history.close()

    def _sweep(self, max_age: float) -> None:
        now = time.monotonic()
        for token, pending in list(self.pending.items()):
            if now - pending.since > max_age:
                del self.pending[token]
                self._write(pending.exchange, [])

    def _write(self, exchange: HttpExchange, items: list[PostRecord]) -> list[PostRecord]:
        if self.writer is None:
            return items
        if self.failed:
            # Not archived, so no item: no version is recorded and the next crawl fetches it.
            return []
        revisit_of = self._revisit_for(exchange)
        kept = [v for v in map(self._versioned, items) if v is not None]
        try:
            written = self.writer.write_capture(
                exchange, revisit_of=revisit_of, metadata=_metadata(kept) if kept else None
            )
        except OSError as exc:
            self._fail(exc)
            return []
        self._remember(exchange, written)
        self._stats_inc("archive/warc/revisits" if written.revisit else "archive/warc/captures")
        self._stats_set("archive/warc/bytes", self.writer.bytes_written)
        return [item.replace(warc=written.response) for item in kept]

    def _revisit_for(self, exchange: HttpExchange) -> RevisitOf | None:
        last = self.history.last_capture(exchange.url) if self.history else None
        if last is None:
            return None
        if exchange.status == 304:
            return _revisit(last, PROFILE_NOT_MODIFIED)
        if exchange.status == last.status == 200 and exchange.payload_digest == last.payload_digest:
            return _revisit(last)
        return None

    def _versioned(self, item: PostRecord) -> PostRecord | None:
        """Give a post its version number, or None when its content has not changed."""
        content_hash = item.content_hash or item.compute_content_hash()
        last = self.history.last_version(item.url) if self.history else None
        if last is not None and last[1] == content_hash:
            self._stats_inc("archive/posts/unchanged")
            return None
        return item.replace(version=last[0] + 1 if last else 1, content_hash=content_hash)

    def _remember(self, exchange: HttpExchange, written: WrittenCapture) -> None:
        """Only after the record is on disk, so a revisit never points at nothing."""
        if self.history is None or written.revisit or exchange.status != 200:
            return
        self.history.record_capture(
            Capture(
                url=exchange.url,
                record_id=written.response.record_id,
                warc_date=written.warc_date,
                payload_digest=exchange.payload_digest,
                filename=written.response.filename,
                offset=written.response.offset,
                status=exchange.status,
                etag=exchange.header("ETag"),
                last_modified=exchange.header("Last-Modified"),
            )
        )

    def _fail(self, exc: OSError) -> None:
        """Stop the crawl: pages we cannot archive must not be fetched."""
        self.failed = True
        logger.error("WARC write failed, stopping the crawl: %s", exc)
        self._stats_inc("archive/warc/write_errors")
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="warc_write_failed"))

    def _stats_inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def _stats_set(self, key: str, value: object) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(key, value)


def _revisit(last: Capture, profile: str | None = None) -> RevisitOf:
    extra = {"profile": profile} if profile else {}
    return RevisitOf(
        record_id=last.record_id,
        target_uri=last.url,
        date=last.warc_date,
        payload_digest=last.payload_digest,
        **extra,
    )


def _metadata(items: list[PostRecord]) -> Any:
    def payloads(ref: WarcRef) -> list[bytes]:
        return [
            json.dumps(item.replace(warc=ref).to_dict(), ensure_ascii=False).encode("utf-8")
            for item in items
        ]

    return payloads
