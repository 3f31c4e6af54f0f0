"""Item pipelines: commit to JSONL, index.

See Scrapy's docs/topics/item-pipeline.rst. Items are :class:`archive.records.PostRecord`,
already validated, de-duplicated, versioned and captured by the crawl's
:class:`~archive.session.ArchiveSession` (see :mod:`crawler.capture`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from archive.records import PostRecord
from archive.search.index import IndexLockedError, SchemaVersionError, SearchIndex
from archive.session import ArchiveSession
from crawler.capture.extension import session_of, site_prefix

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class JsonlExportPipeline:
    """Commits each post to the session's JSONL file, with its version (both or neither)."""

    def __init__(self, crawler: Crawler, session: ArchiveSession) -> None:
        self.crawler = crawler
        self.session = session
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_JSONL_ENABLED"):
            raise NotConfigured("ARCHIVE_JSONL_ENABLED is off")
        return cls(crawler, session_of(crawler, "JsonlExportPipeline"))

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        settings = self.crawler.settings
        self.session.open_jsonl(
            prefix=site_prefix(self.crawler, spider),
            append=settings.getbool("ARCHIVE_JSONL_APPEND"),
            max_size=settings.getint("ARCHIVE_JSONL_MAX_SIZE"),
        )

    def close_spider(self) -> None:
        """Posts still waiting for their images when the crawl stops (it was stopped,
        their images were left in the queue) are committed with what is known, and
        indexed here: the index pipeline, later in the chain, has closed already
        (Scrapy closes pipelines in reverse order)."""
        holds = getattr(self.crawler.spider, "asset_holds", None)
        left = holds.release_all() if holds is not None else []
        if holds is not None and holds.released_early and self.crawler.stats is not None:
            self.crawler.stats.set_value(
                "blogarchive/assets/posts_released_early", holds.released_early
            )
        committed = []
        for post in left:
            try:
                committed.append(self.process_item(post))
            except DropItem as exc:
                logger.error("%s", exc)
        if left:
            logger.warning("%d posts committed at close without their images' outcome", len(left))
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("blogarchive/assets/posts_at_close", len(left))
        settings = self.crawler.settings
        if committed and settings.getbool("ARCHIVE_INDEX_ENABLED"):
            add_to_index(self.crawler, Path(settings.get("ARCHIVE_DIR")) / "index", committed)

    def process_item(self, item: object) -> PostRecord:
        if not isinstance(item, PostRecord):
            raise DropItem(f"not a PostRecord: {type(item).__name__}")
        try:
            self.session.commit(item)
        except (OSError, sqlite3.Error) as exc:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("archive/jsonl/errors")
            if _storage_failed(exc):
                self._stop(exc)
            raise DropItem(f"could not archive {item.url} in JSONL: {exc}") from exc
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


def _storage_failed(exc: BaseException) -> bool:
    """A full disk or an I/O error, as against a busy database that may free up."""
    if isinstance(exc, OSError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _SQLITE_STORAGE_ERRORS


_SQLITE_STORAGE_ERRORS = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY}


class IndexPipeline:
    """Adds posts to the search index in batches (and at the end of the crawl).

    A batch is committed when it holds ``ARCHIVE_INDEX_BATCH_SIZE`` posts or when its
    first post has waited ``ARCHIVE_INDEX_BATCH_SECONDS`` (checked as posts arrive): each
    commit costs a writer session and later merges, so a fast crawl commits seldom, and a
    polite one still makes its posts searchable within about that time.
    """

    def __init__(
        self,
        crawler: Crawler,
        path: Path,
        batch_size: int,
        batch_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.crawler = crawler
        self.path = path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.clock = clock
        self.pending: list[PostRecord] = []
        self.since = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_INDEX_ENABLED"):
            raise NotConfigured("ARCHIVE_INDEX_ENABLED is off")
        batch = settings.getint("ARCHIVE_INDEX_BATCH_SIZE")
        if batch <= 0:
            raise NotConfigured(f"ARCHIVE_INDEX_BATCH_SIZE ({batch!r}) must be > 0")
        seconds = settings.getfloat("ARCHIVE_INDEX_BATCH_SECONDS")
        return cls(crawler, Path(settings.get("ARCHIVE_DIR")) / "index", batch, seconds)

    def process_item(self, item: PostRecord) -> PostRecord:
        if not self.pending:
            self.since = self.clock()
        self.pending.append(item)
        waited = self.clock() - self.since
        if len(self.pending) >= self.batch_size or waited >= self.batch_seconds:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Index the pending posts."""
        if self.pending:
            batch, self.pending = self.pending, []
            add_to_index(self.crawler, self.path, batch)


def add_to_index(crawler: Crawler, path: Path, batch: list[PostRecord]) -> None:
    """Add posts to the search index; on failure keep going: JSONL has them for reindex."""
    stats = crawler.stats
    try:
        SearchIndex(path).add(batch)
    except (IndexLockedError, SchemaVersionError, OSError, ValueError) as exc:
        logger.error(
            "could not index %d posts (%s); run `blogarchive reindex` later", len(batch), exc
        )
        if stats is not None:
            stats.inc_value("archive/index/errors")
        return
    if stats is not None:
        stats.inc_value("archive/index/added", len(batch))
