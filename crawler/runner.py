"""Run crawls in this process with Scrapy's CrawlerProcess, and summarize them.

``blogarchive crawl`` and ``blogarchive demo`` use it; ``scrapy crawl blog`` runs the
same spider, settings, extensions and pipelines through Scrapy's own command. Crash
repair and the run history are the crawl's own (:mod:`crawler.extensions.runlog`); this
module only ends the runs that extension could not: of a crawl that ended before its spider
opened, or that never reached the reactor.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.internet.defer import Deferred

from crawler.config import SiteConfig
from crawler.extensions.runlog import (
    OK_REASONS,
    RUNLOG_FAILED,
    STOPPED_BEFORE_START,
    RunLogExtension,
    crawl_counts,
    record_unopened,
    run_status,
    unclosed_reason,
)
from crawler.spiders.blog import BlogSpider

# Loopback servers need no politeness; used by `blogarchive demo` and the tests only.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


@dataclass(frozen=True, kw_only=True)
class CrawlResult:
    """What one site's crawl did."""

    site: str
    url: str
    reason: str
    pages: int
    assets: int = 0
    """Page requisites' responses (images, stylesheets), not among ``pages``."""
    posts: int
    new: int
    changed: int
    unchanged: int
    errors: int
    warc_files: list[str]
    warc_bytes: int
    received_bytes: int
    jsonl_file: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.reason in OK_REASONS and self.pages > 0

    @property
    def status(self) -> str:
        """As in the run history: ok, failed, or interrupted (SIGINT/SIGTERM)."""
        return run_status(self.reason, self.pages)

    def summary(self) -> str:
        size = self.warc_bytes / 1_000_000
        why = self.reason if self.reason not in OK_REASONS else "no page could be fetched"
        status = "done" if self.ok else f"FAILED ({why})"
        return (
            f"{self.site}: {status}: {self.pages} pages, {self.assets} assets, "
            f"{self.posts} posts ({self.new} new, "
            f"{self.changed} changed, {self.unchanged} unchanged), {self.errors} errors, "
            f"{self.received_bytes / 1_000_000:.2f} MB received, "
            f"{size:.2f} MB of WARC in {len(self.warc_files)} file(s), {self.seconds:.1f} s"
        )


def build_settings(
    data_dir: Path, overrides: dict[str, Any] | None = None, *, interactive: bool = True
) -> Settings:
    """Project settings, with the data dir and ``-s`` overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DIR", str(data_dir), priority="cmdline")
    if interactive:
        # A terminal gets a progress line and warnings, not Scrapy's INFO log.
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        settings.set("BLOGARCHIVE_PROGRESS_STDERR", True, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawls(
    sites: list[SiteConfig], settings: Settings, *, max_pages: int | None = None
) -> list[CrawlResult]:
    """Crawl the sites concurrently (each on its own politeness slot) until all finish.

    Each crawl's :class:`RunLogExtension` repairs crashed files and records its run; a
    crawl that ended before its spider opened, or with it still open, is recorded here.
    """
    crawls: list[_Crawl] = []
    try:
        with _sigterm_interrupts():
            elapsed = _crawl(crawls, sites, settings, max_pages)
    except KeyboardInterrupt:
        _end_runs(settings, sites, crawls, STOPPED_BEFORE_START)
        raise
    except Exception as exc:
        _end_runs(settings, sites, crawls, f"not started: {exc}")
        raise
    results = [_result(crawl, elapsed) for crawl in crawls]
    for crawl, result in zip(crawls, results, strict=True):
        _end_run(settings, crawl.site, crawl.crawler, result.reason)
    return results


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, as SIGINT does, until Scrapy installs its handlers."""
    # By default a SIGTERM before the reactor starts kills the process, its runs left
    # "running"; a handler someone else installed (or SIG_IGN) is theirs to keep.
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
    ):
        yield
        return
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) is signal.default_int_handler:  # not Scrapy's yet
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _end_runs(
    settings: Settings, sites: list[SiteConfig], crawls: list[_Crawl], reason: str
) -> None:
    """A crawl that could not start (or be started): every site's run ends with ``reason``."""
    for number, site in enumerate(sites):
        _end_run(settings, site, crawls[number].crawler if number < len(crawls) else None, reason)


def _end_run(settings: Settings, site: SiteConfig, crawler: Crawler | None, reason: str) -> None:
    """Finish a run its extension left open, or record the run it never started."""
    runlog = _runlog(crawler)
    if runlog is not None and runlog.opened:
        runlog.finish(reason)  # a no-op once the spider has closed
    elif reason != RUNLOG_FAILED:  # the history could not be written: no second try
        record_unopened(settings, site.name, reason)


def _runlog(crawler: Crawler | None) -> RunLogExtension | None:
    if crawler is None:
        return None
    try:
        return crawler.get_extension(RunLogExtension)
    except RuntimeError:  # the crawl ended before its extensions were built
        return None


class _Crawl:
    """One site's crawler, Scrapy's Deferred for the end of its crawl, and its engine start."""

    def __init__(self, site: SiteConfig, crawler: Crawler) -> None:
        self.site = site
        self.crawler = crawler
        self.ended: Deferred[None] | None = None
        self.engine_started = False
        crawler.signals.connect(self._started, signal=signals.engine_started)

    def _started(self) -> None:
        self.engine_started = True

    def reason(self, stats: dict[str, Any]) -> str:
        """Scrapy's finish reason; else why the crawl never closed its spider."""
        if "finish_reason" in stats:
            return str(stats["finish_reason"])
        if self.ended is not None and not self.ended.called:
            # The reactor stopped with the crawl still going.
            return unclosed_reason(self.engine_started)
        return "not started"


def _crawl(
    crawls: list[_Crawl], sites: list[SiteConfig], settings: Settings, max_pages: int | None
) -> float:
    """Run the sites' crawls, added to ``crawls`` as they are built; the seconds it took."""
    process = CrawlerProcess(settings)
    for site in sites:
        crawl = _Crawl(site, process.create_crawler(BlogSpider))
        if settings.getbool("BLOGARCHIVE_PROGRESS_STDERR"):
            # Scrapy installs its log handler when the crawl starts; adjust it then.
            crawl.crawler.signals.connect(_brief_tracebacks, signal=signals.engine_started)
        crawl.ended = process.crawl(crawl.crawler, site=site, max_pages=max_pages)
        crawls.append(crawl)
    started = time.monotonic()
    process.start()
    return time.monotonic() - started


class BriefFormatter(logging.Formatter):
    """Log an exception as its last line: a terminal user needs the reason, not the stack."""

    def formatException(self, ei: Any) -> str:
        exc = ei[1]
        return f"  {type(exc).__name__}: {exc}" if exc is not None else ""

    def formatStack(self, stack_info: str) -> str:
        return ""


def _brief_tracebacks() -> None:
    for handler in logging.getLogger().handlers:
        current = handler.formatter
        fmt = current._fmt if current else None
        handler.setFormatter(BriefFormatter(fmt, current.datefmt if current else None))


def _result(crawl: _Crawl, elapsed: float) -> CrawlResult:
    site, crawler = crawl.site, crawl.crawler
    stats = crawler.stats.get_stats() if crawler.stats else {}
    counts = crawl_counts(stats)
    started, finished = stats.get("start_time"), stats.get("finish_time")
    seconds = (finished - started).total_seconds() if started and finished else elapsed
    return CrawlResult(
        site=site.name,
        url=site.url,
        reason=crawl.reason(stats),
        pages=counts["pages"],
        assets=counts["assets"],
        posts=counts["posts"],
        new=counts["new"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        errors=counts["errors"],
        warc_files=list(stats.get("archive/warc/files", [])),
        warc_bytes=int(stats.get("archive/warc/bytes", 0)),
        received_bytes=int(stats.get("downloader/response_bytes", 0)),
        jsonl_file=stats.get("archive/jsonl/file"),
        seconds=seconds,
    )
