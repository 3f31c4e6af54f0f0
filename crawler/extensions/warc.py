"""Capture every request and response into WARC files.

Connected to ``response_downloaded``, which the downloader sends before any
downloader middleware's ``process_response``: the body is still as received
(content-encoded), so the WARC keeps what the server sent. What Scrapy does not
keep: header-name casing (title-cased), the reason phrase (rebuilt from the status
code) and chunk framing (the body is de-chunked; the header is kept renamed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from archive.warc import HttpExchange, WarcFileWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def headers_list(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` → ordered (name, value) pairs, one per value."""
    pairs: list[tuple[str, str]] = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        pairs.extend((name, value.decode("latin-1")) for value in values)
    return pairs


def exchange_from(request: Request, response: Response, fetched_at: datetime) -> HttpExchange:
    """Adapt Scrapy objects to the archive's plain data."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=headers_list(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=reason,
        response_headers=headers_list(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=fetched_at,
    )


class WarcCaptureExtension:
    """Writes a request and a response record per download; stores the ref in meta."""

    def __init__(
        self, crawler: Crawler, directory: Path, *, max_size: int, gzip_level: int
    ) -> None:
        self.crawler = crawler
        self.directory = directory
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.writer: WarcFileWriter | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        max_size = settings.getint("ARCHIVE_WARC_MAX_SIZE")
        level = settings.getint("ARCHIVE_WARC_GZIP_LEVEL")
        if max_size <= 0 or not 0 <= level <= 9:
            raise NotConfigured(
                f"ARCHIVE_WARC_MAX_SIZE ({max_size!r}) must be > 0 and "
                f"ARCHIVE_WARC_GZIP_LEVEL ({level!r}) within 0..9"
            )
        directory = Path(settings.get("ARCHIVE_DIR")) / "warc"
        ext = cls(crawler, directory, max_size=max_size, gzip_level=level)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        self.writer = WarcFileWriter(
            self.directory,
            prefix=getattr(spider, "site_name", spider.name),
            max_size=self.max_size,
            gzip_level=self.gzip_level,
            warcinfo={
                "isPartOf": getattr(spider, "site_name", spider.name),
                "description": f"blogarchive crawl of {getattr(spider, 'start_url', '')}",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "crawl-id": getattr(spider, "crawl_id", ""),
            },
        )

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None or self.failed:
            return
        fetched_at = datetime.now(UTC)
        try:
            ref = self.writer.write_exchange(exchange_from(request, response, fetched_at))
        except OSError as exc:
            self._fail(exc)
            return
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("archive/warc/captures")
            stats.set_value("archive/warc/bytes", self.writer.bytes_written)
        request.meta["warc_ref"] = ref
        request.meta["fetched_at"] = fetched_at.isoformat(timespec="seconds")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.writer is None:
            return
        try:
            self.writer.close()
        except OSError as exc:
            logger.error("could not close WARC file cleanly: %s", exc)
        if self.crawler.stats is not None:
            files = [p.name for p in self.writer.closed_files]
            self.crawler.stats.set_value("archive/warc/files", files)

    def _fail(self, exc: OSError) -> None:
        """Stop the crawl: pages we cannot archive must not be fetched."""
        self.failed = True
        logger.error("WARC write failed, stopping the crawl: %s", exc)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("archive/warc/write_errors")
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="warc_write_failed"))
