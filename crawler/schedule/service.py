"""The scheduler: APScheduler 3 on the SQLite job store, run until a stop signal."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from crawler.config import SiteConfig
from crawler.schedule.crawls import RUNS
from crawler.schedule.jobs import JOB_OPTIONS, store_url, sync_jobs
from crawler.schedule.lock import data_dir_lock
from crawler.schedule.stop import StopSignals, stop_crawls
from crawler.schedule.triggers import describe_trigger

logger = logging.getLogger("blogarchive.schedule")


@dataclass(frozen=True, kw_only=True)
class ScheduleOptions:
    config: Path
    data_dir: Path
    settings: list[str]
    max_workers: int = 4
    stop_timeout: float = 60.0
    redis_url: str | None = None


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]
    """Processes no jobs unless running.

    APScheduler 3's loop runs one more round after ``shutdown()``; a job due then would
    be submitted to the closed executor (an error) and its stored next run time advanced
    without a run, losing it for the misfire policy.
    """

    def _process_jobs(self) -> float | None:
        if self.state != STATE_RUNNING:
            return None
        return cast(float | None, super()._process_jobs())


def make_scheduler(data_dir: Path, max_workers: int) -> Any:

    return _Scheduler(
        jobstores={"default": SQLAlchemyJobStore(url=store_url(data_dir))},
        executors={"default": ThreadPoolExecutor(max_workers)},
        job_defaults=dict(JOB_OPTIONS),
    )


def serve(sites: Iterable[SiteConfig], options: ScheduleOptions, signals: StopSignals) -> int:
    """Run the scheduler until ``signals.stop`` is set; 0 after a clean stop."""
    with data_dir_lock(options.data_dir):
        scheduler = make_scheduler(options.data_dir, options.max_workers)
        scheduler.start(paused=True)
        try:
            report = sync_jobs(
                scheduler,
                sites,
                options.config,
                options.data_dir,
                options.settings,
                options.redis_url,
            )
            logger.info("jobs synced from %s: %s", options.config, report.describe())
            if not scheduler.get_jobs():
                logger.error("no site in %s has a schedule (or all are paused)", options.config)
                return 1
            _log_jobs(scheduler)
            RUNS.reset()
            scheduler.resume()
            while not signals.stop.wait(1.0):
                pass
            logger.info("%s received: stopping", signals.signal_name or "stop")
            scheduler.pause()
            stop_crawls(options.data_dir, options.stop_timeout, signals.force)
        finally:
            scheduler.shutdown(wait=True)
    logger.info("scheduler stopped")
    return 0


def _log_jobs(scheduler: Any) -> None:
    for job in scheduler.get_jobs():
        when = job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "-"
        logger.info("job %s: %s, next run %s", job.id, describe_trigger(job.trigger), when)
