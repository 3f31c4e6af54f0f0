"""Item pipelines: validate, de-duplicate, write JSONL, index.

See Scrapy's docs/topics/item-pipeline.rst. Items are :class:`archive.records.PostRecord`.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import Spider
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from archive.history import HISTORY_FILE, History
from archive.index import IndexLockedError, SchemaVersionError, SearchIndex
from archive.jsonl import JsonlWriter
from archive.records import PostRecord
from crawler import urls

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _site_name(crawler: Crawler) -> str:
    spider: Spider | None = crawler.spider
    return str(getattr(spider, "site_name", None) or (spider.name if spider else "blogarchive"))


class ValidatePostPipeline:
    """Drops items that are not posts with some content."""

    def process_item(self, item: object) -> PostRecord:
        if not isinstance(item, PostRecord):
            raise DropItem(f"not a PostRecord: {type(item).__name__}")
        if not item.body.strip() and not (item.title or "").strip():
            raise DropItem(f"post without title or body: {item.url}")
        return item


def post_key(item: PostRecord) -> str:
    """Identity of a post within a crawl (:func:`crawler.urls.post_key`)."""
    return urls.post_key(item.url, item.canonical_url)


class DuplicatePostPipeline:
    """Drops a post already archived in this crawl under another URL."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: PostRecord) -> PostRecord:
        key = post_key(item)
        if key in self.seen:
            raise DropItem(f"duplicate post {item.url} (same as {key})")
        self.seen.add(key)
        return item


class JsonlExportPipeline:
    """Appends each post to ``ARCHIVE_DIR/items/SITE-TIMESTAMP-SERIAL.jsonl``."""

    def __init__(self, crawler: Crawler, directory: Path, history: History | None) -> None:
        self.crawler = crawler
        self.directory = directory
        self.history = history
        self.writer: JsonlWriter | None = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_JSONL_ENABLED"):
            raise NotConfigured("ARCHIVE_JSONL_ENABLED is off")
        data_dir = Path(settings.get("ARCHIVE_DIR"))
        history = None
        if settings.getbool("ARCHIVE_DEDUP_ENABLED"):
            history = History(data_dir / HISTORY_FILE)
        return cls(crawler, data_dir / "items", history)

    def open_spider(self) -> None:
        name, tag = _site_name(self.crawler), self.crawler.settings.get("ARCHIVE_FILE_TAG")
        self.writer = JsonlWriter(self.directory, prefix=f"{name}_{tag}" if tag else name)

    def close_spider(self) -> None:
        try:
            if self.writer is not None:
                self.writer.close()
                if self.writer.path is not None and self.crawler.stats is not None:
                    self.crawler.stats.set_value("archive/jsonl/file", self.writer.path.name)
        finally:
            if self.history is not None:
                self.history.close()

    def process_item(self, item: PostRecord) -> PostRecord:
        try:
            self._archive(item)
        except (OSError, sqlite3.Error) as exc:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("archive/jsonl/errors")
            if _storage_failed(exc):
                self._stop(exc)
            raise DropItem(f"could not archive {item.url} in JSONL: {exc}") from exc
        if self.crawler.stats is not None and item.version is not None:
            # Counted once archived: a post dropped on a full disk is not "new".
            key = "archive/posts/new" if item.version == 1 else "archive/posts/changed"
            self.crawler.stats.inc_value(key)
        return item

    def _stop(self, exc: BaseException) -> None:
        """Stop the crawl once: posts we cannot archive must not be fetched."""
        if self.stopping:
            return
        self.stopping = True
        logger.error("JSONL write failed, stopping the crawl: %s", exc)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling: the pipeline used on its own
            return
        deferred_from_coro(engine.close_spider_async(reason="jsonl_write_failed"))

    def _archive(self, item: PostRecord) -> None:
        """Write the line and record its version together: both or neither.

        A line without its version would be archived again by the next crawl (seen as
        new), so a version that cannot be committed (a full disk) takes its line back.
        A crash in between leaves the file ``.open``, and repair records its versions.
        """
        assert self.writer is not None
        if self.history is None or item.version is None or not item.content_hash:
            self.writer.write(item)
            return
        self.history.begin()
        try:
            record_id = item.warc.record_id if item.warc else None
            self.history.record_version(
                item.url, item.version, item.content_hash, record_id, item.fetched_at
            )
            offset = self.writer.write(item)
            try:
                self.history.commit()
            except sqlite3.Error:
                self.writer.unwrite(offset)
                raise
        except BaseException:
            self.history.rollback()
            raise


def _storage_failed(exc: BaseException) -> bool:
    """A full disk or an I/O error, as against a busy database that may free up."""
    if isinstance(exc, OSError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _SQLITE_STORAGE_ERRORS


_SQLITE_STORAGE_ERRORS = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY}


class IndexPipeline:
    """Adds posts to the search index in batches (and at the end of the crawl)."""

    def __init__(self, crawler: Crawler, path: Path, batch_size: int) -> None:
        self.crawler = crawler
        self.path = path
        self.batch_size = batch_size
        self.pending: list[PostRecord] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_INDEX_ENABLED"):
            raise NotConfigured("ARCHIVE_INDEX_ENABLED is off")
        batch = settings.getint("ARCHIVE_INDEX_BATCH_SIZE")
        if batch <= 0:
            raise NotConfigured(f"ARCHIVE_INDEX_BATCH_SIZE ({batch!r}) must be > 0")
        return cls(crawler, Path(settings.get("ARCHIVE_DIR")) / "index", batch)

    def process_item(self, item: PostRecord) -> PostRecord:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Index the pending posts; on failure keep going: JSONL has them for reindex."""
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        stats = self.crawler.stats
        try:
            SearchIndex(self.path).add(batch)
        except (IndexLockedError, SchemaVersionError, OSError, ValueError) as exc:
            logger.error(
                "could not index %d posts (%s); run `blogarchive reindex` later", len(batch), exc
            )
            if stats is not None:
                stats.inc_value("archive/index/errors")
            return
        if stats is not None:
            stats.inc_value("archive/index/added", len(batch))
