"""The job: one site's ``blogarchive crawl`` subprocess (or its RQ job), logged as it ends."""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path

from archive.datadir import HISTORY_FILE
from archive.state.runs import live_run
from crawler.process import CrawlCommand
from crawler.schedule.crawls import RUNS

logger = logging.getLogger("blogarchive.schedule")


def run_site(
    site: str, config: str, data_dir: str, settings: list[str], redis_url: str | None = None
) -> int:
    """The job: one ``blogarchive crawl SITE --trigger schedule`` process; its exit code.

    With ``redis_url`` (``schedule --redis``) the crawl is put on the RQ queue instead.
    Never raises for a failed crawl: it logs why, and the scheduler goes on.
    """
    if redis_url:
        from crawler.queue.enqueue import enqueue_scheduled

        return enqueue_scheduled(site, config, data_dir, settings, redis_url)
    holder = _running_elsewhere(site, Path(data_dir))
    if holder:
        logger.warning("%s: skipped, a crawl of it is already running (pid %s)", site, holder)
        return 0
    started = time.monotonic()
    command = CrawlCommand(
        sites=[site], trigger="schedule", config=config, data_dir=data_dir, settings=settings
    )
    crawl = RUNS.launch(site, command.argv())
    if crawl is None:
        return 0
    logger.info("%s: crawl started (pid %d)", site, crawl.pid)
    try:
        out, err = crawl.tail()
    finally:
        RUNS.done(site)
    code = crawl.proc.returncode
    _report(site, code, out, err, time.monotonic() - started)
    return code


def _running_elsewhere(site: str, data_dir: Path) -> int | None:
    """The pid of a live run of ``site`` in the run history (any trigger), if any."""
    run = live_run(data_dir / HISTORY_FILE, site)
    return (run.pid or -1) if run else None


def _report(site: str, code: int, out: list[str], err: list[str], seconds: float) -> None:
    summary = next((line for line in out if line.startswith(f"{site}:")), "")
    if code == 0:
        logger.info("%s", summary or f"{site}: done in {seconds:.1f} s")
    elif RUNS.stopping and code in (1, 130, -signal.SIGINT, -signal.SIGKILL):
        logger.warning("%s: crawl stopped by the scheduler's shutdown (exit %d)", site, code)
    else:
        why = " | ".join(list(err)[-4:]) or summary or "no output"
        logger.error("%s: crawl failed (exit %d) after %.1f s: %s", site, code, seconds, why)
