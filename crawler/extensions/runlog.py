"""Crash repair and the run history, for every crawl, whatever started it.

``blogarchive crawl``, ``scrapy crawl blog``, the scheduler's crawls and the workers' all
run this extension. When the spider opens it repairs the ``.open`` WARC and JSONL files
that no live crawl holds (their ``flock`` is free), marks the runs of dead processes
``interrupted``, and starts this crawl's run in ``DATA/history.sqlite3``; when the spider
closes it finishes the run with the crawl's counts. A crawl whose reactor stops with the
spider still open (a second Ctrl-C) has its run finished as the reactor shuts down.

Settings: ``ARCHIVE_RUNLOG_ENABLED``; ``ARCHIVE_RUN_TRIGGER``, who started the crawl
(``manual`` by default, for ``blogarchive crawl`` and ``scrapy crawl`` alike; the scheduler
passes ``schedule``, workers ``worker``); ``ARCHIVE_WORKER``, the queue worker's name.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Spider, signals
from scrapy.exceptions import CloseSpider, NotConfigured

from archive.datadir import HISTORY_FILE
from archive.repair import repair_data_dir
from archive.state.runs import RunLog

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

OK_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
# SIGINT/SIGTERM: Scrapy's graceful stop ("shutdown"), a stop before the engine started,
# or a second signal that stopped the reactor before the spider closed.
STOPPED_BEFORE_START = "interrupted before start"
FORCED_STOP = "forced shutdown"
INTERRUPTED_REASONS = {"shutdown", STOPPED_BEFORE_START, FORCED_STOP}
# Why the spider was closed when the run history could not be written at its start.
RUNLOG_FAILED = "runlog_failed"

_UNCHANGED_STATS = (
    "archive/posts/unchanged",
    "blogarchive/pages/not_modified",
    "blogarchive/requests/unchanged_skipped",
)
_ERROR_STATS = (
    "blogarchive/requests/ignored",
    "downloader/exception_count",
    "httperror/response_ignored_count",
    "spider_exceptions/count",
    "archive/warc/write_errors",
    "archive/index/errors",
    "archive/jsonl/errors",
)


_ASSET_ANSWERS = ("fetched", "not_modified", "missing")


def crawl_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Pages fetched, posts archived and errors, from a crawler's stats."""
    errors = sum(int(stats.get(key, 0)) for key in _ERROR_STATS)
    # Requests a Ctrl-C dropped before they started fail in the downloader, which counts them.
    errors -= int(stats.get("blogarchive/requests/dropped_at_stop", 0))
    # Assets robots.txt forbids or of a type not wanted fail in the downloader too: policy.
    errors -= int(stats.get("blogarchive/assets/skipped", 0))
    unchanged = sum(int(stats.get(key, 0)) for key in _UNCHANGED_STATS)
    # Page requisites' responses (an image, a stylesheet) are counted apart from pages.
    assets = sum(int(stats.get(f"blogarchive/assets/{key}", 0)) for key in _ASSET_ANSWERS)
    return {
        "pages": max(0, int(stats.get("response_received_count", 0)) - assets),
        "assets": assets,
        "posts": int(stats.get("item_scraped_count", 0)),
        "new": int(stats.get("archive/posts/new", 0)),
        "changed": int(stats.get("archive/posts/changed", 0)),
        "unchanged": int(unchanged),
        "errors": errors,
    }


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The counts of a run in the history (:data:`archive.state.runs.COUNTS`), from crawler stats."""
    counts = crawl_counts(stats)
    return {
        "pages": counts["pages"],
        "new_posts": counts["new"],
        "changed_posts": counts["changed"],
        "unchanged_posts": counts["unchanged"],
        "errors": counts["errors"],
        "bytes_written": int(stats.get("archive/warc/bytes", 0)),
        "revalidated": int(stats.get("archive/posts/revalidated", 0)),
        "revalidated_changed": int(stats.get("archive/posts/revalidated_changed", 0)),
    }


def run_status(reason: str, pages: int) -> str:
    """``ok``, ``interrupted`` (SIGINT/SIGTERM) or ``failed``, from Scrapy's finish reason."""
    if reason in OK_REASONS and pages > 0:
        return "ok"
    return "interrupted" if reason in INTERRUPTED_REASONS else "failed"


def unclosed_reason(engine_started: bool) -> str:
    """Why a crawl ended with its spider open: only a SIGINT/SIGTERM stops the reactor so."""
    return FORCED_STOP if engine_started else STOPPED_BEFORE_START


def record_unopened(settings: BaseSettings, site: str, reason: str) -> None:
    """Record the run of a crawl that ended before its spider opened (so before the extension
    could): started and finished at once, with no counts."""
    if not settings.getbool("ARCHIVE_RUNLOG_ENABLED"):
        return
    trigger, worker = _who(settings)
    try:
        log = RunLog(Path(settings.get("ARCHIVE_DIR")) / HISTORY_FILE)
        try:
            run_id = log.start(site, trigger, worker=worker)
            log.finish(run_id, run_status(reason, 0), {}, reason)
        finally:
            log.close()
    except (OSError, sqlite3.Error) as exc:  # the crawl's own error matters more
        logger.error("could not record the run of %s: %s", site, exc)


def _who(settings: BaseSettings) -> tuple[str, str | None]:
    """The trigger and the worker of runs started with these settings."""
    return settings.get("ARCHIVE_RUN_TRIGGER") or "manual", settings.get("ARCHIVE_WORKER") or None


class RunLogExtension:
    """Repairs what dead crawls left, then records this crawl's run from open to close."""

    def __init__(self, crawler: Crawler, data_dir: Path) -> None:
        self.crawler = crawler
        self.data_dir = data_dir
        self.trigger, self.worker = _who(crawler.settings)
        self.run_id: int | None = None
        self.finished = False
        self._engine_started = False
        self._shutdown_trigger: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_RUNLOG_ENABLED"):
            raise NotConfigured("ARCHIVE_RUNLOG_ENABLED is off")
        ext = cls(crawler, Path(crawler.settings.get("ARCHIVE_DIR")))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def opened(self) -> bool:
        """Whether this crawl's run was started in the history."""
        return self.run_id is not None

    def spider_opened(self, spider: Spider) -> None:
        site = str(getattr(spider, "site_name", spider.name))
        try:
            # This crawl's own files are open and locked already (the pipelines opened
            # them), and so are those of other live crawls, in this process or not.
            index = self.crawler.settings.getbool("ARCHIVE_INDEX_ENABLED")
            repair_data_dir(self.data_dir, index=index)  # logs what it repairs
            log = RunLog(self.data_dir / HISTORY_FILE)
            try:
                log.mark_interrupted()
                self.run_id = log.start(site, self.trigger, worker=self.worker)
            finally:
                log.close()
        except (OSError, sqlite3.Error) as exc:
            logger.error("cannot start the run of %s in %s: %s", site, self.data_dir, exc)
            raise CloseSpider(RUNLOG_FAILED) from None
        self._watch_reactor()

    def engine_started(self) -> None:
        self._engine_started = True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._unwatch_reactor()
        self.finish(reason)

    def finish(self, reason: str) -> None:
        """End this crawl's run (once) with ``reason`` and the counts so far."""
        if self.run_id is None or self.finished:
            return
        self.finished = True
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = run_counts(stats)
        try:
            log = RunLog(self.data_dir / HISTORY_FILE)
            try:
                log.finish(self.run_id, run_status(reason, counts["pages"]), counts, reason)
            finally:
                log.close()
        except sqlite3.Error as exc:
            # A full disk: the crawl's summary still shows; the next crawl marks the run
            # interrupted once this process has exited.
            logger.error("could not record the end of run %d: %s", self.run_id, exc)

    def _watch_reactor(self) -> None:
        """Finish the run if the reactor stops with the spider open (a forced stop)."""
        if not self.crawler.settings.getbool("TWISTED_REACTOR_ENABLED", True):
            return
        # "during": after Scrapy's own "before" trigger has had its chance to close the
        # spider gracefully, with the real reason.
        self._shutdown_trigger = _reactor().addSystemEventTrigger(
            "during", "shutdown", self._reactor_stopping
        )

    def _unwatch_reactor(self) -> None:
        if self._shutdown_trigger is None:
            return
        _reactor().removeSystemEventTrigger(self._shutdown_trigger)
        self._shutdown_trigger = None

    def _reactor_stopping(self) -> None:
        self._shutdown_trigger = None
        self.finish(unclosed_reason(self._engine_started))


def _reactor() -> Any:
    """Twisted's installed reactor (imported late: Scrapy chooses and installs it)."""
    from twisted.internet import reactor

    return reactor
