"""``blogarchive schedule``: crawl each site on its own schedule, until SIGTERM or SIGINT.

APScheduler 3 keeps one job per scheduled site (job id = site name) in a SQLite job
store, ``DATA/schedule.sqlite3``. On start the jobs are synced from the config: jobs of
removed, paused or unscheduled sites are deleted, new sites get a job, and a site whose
schedule is unchanged keeps its stored next run time.

Misfire policy: ``misfire_grace_time=None`` and ``coalesce=True``. Runs missed while the
scheduler was down are never dropped for lateness and never replayed one by one: a site
that missed one or more runs is crawled once, as soon as the scheduler starts, and then
follows its schedule again. A run that falls due while the site's previous run is still
going is skipped (``max_instances=1``; APScheduler logs a warning). A new site with an
interval schedule ("every 6h") is crawled at once; a cron schedule waits for its next
cron time.

Each run is ``blogarchive crawl SITE --trigger schedule`` in its own process (Twisted's
reactor cannot restart), in its own session so that a terminal's Ctrl-C reaches only the
scheduler. ``max_instances=1`` keeps it to one run per site at a time, and a run is also
skipped while another process (a manual crawl) is crawling that site. A failed run is
logged with the crawl's last stderr lines; it never stops the scheduler.

Stop: on SIGTERM or SIGINT the scheduler starts no more runs, sends SIGINT to every
running crawl (Scrapy then closes the spider, its WARC and its JSONL), waits up to
``stop_timeout`` seconds, SIGKILLs what is left (then repairs the ``.open`` files they
leave and marks their runs interrupted), and returns 0. A second signal skips the wait.

Modules:

- :mod:`crawler.schedule.spec`: schedule strings, parsed and checked (the config uses it);
- :mod:`crawler.schedule.triggers`: schedules as APScheduler triggers;
- :mod:`crawler.schedule.jobs`: the job store and its sync from the config;
- :mod:`crawler.schedule.listing`: ``schedule --list``;
- :mod:`crawler.schedule.run`: the job, one site's crawl subprocess (:mod:`crawler.process`);
- :mod:`crawler.schedule.crawls`: the running crawls;
- :mod:`crawler.schedule.stop`: stop signals and stopping the crawls;
- :mod:`crawler.schedule.lock`: one scheduler per data dir;
- :mod:`crawler.schedule.service`: the scheduler itself.

Everything is importable from here, loaded on first use: importing
:mod:`crawler.schedule.spec` (as loading a config does) must not import APScheduler's job
store and SQLAlchemy. Job stores name :data:`JOB_FUNC`, ``crawler.schedule:run_site``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.schedule.crawls import RUNS, RunningCrawls
    from crawler.schedule.jobs import (
        JOB_FUNC,
        JOB_OPTIONS,
        STORE_FILE,
        SyncReport,
        check_schedules,
        job_args,
        scheduled_sites,
        store_url,
        sync_jobs,
    )
    from crawler.schedule.listing import PlannedJob, format_plan, plan_jobs
    from crawler.schedule.lock import LOCK_FILE, SchedulerBusy, data_dir_lock
    from crawler.schedule.run import run_site
    from crawler.schedule.service import ScheduleOptions, make_scheduler, serve
    from crawler.schedule.spec import WEEKDAYS, crontab_weekdays, parse_schedule
    from crawler.schedule.stop import StopSignals, stop_crawls
    from crawler.schedule.triggers import build_trigger, describe_trigger

_HOMES = {
    "crawls": ("RUNS", "RunningCrawls"),
    "jobs": (
        "JOB_FUNC",
        "JOB_OPTIONS",
        "STORE_FILE",
        "SyncReport",
        "check_schedules",
        "job_args",
        "scheduled_sites",
        "store_url",
        "sync_jobs",
    ),
    "listing": ("PlannedJob", "format_plan", "plan_jobs"),
    "lock": ("LOCK_FILE", "SchedulerBusy", "data_dir_lock"),
    "run": ("run_site",),
    "service": ("ScheduleOptions", "make_scheduler", "serve"),
    "spec": ("WEEKDAYS", "crontab_weekdays", "parse_schedule"),
    "stop": ("StopSignals", "stop_crawls"),
    "triggers": ("build_trigger", "describe_trigger"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "JOB_FUNC",
    "JOB_OPTIONS",
    "LOCK_FILE",
    "RUNS",
    "STORE_FILE",
    "WEEKDAYS",
    "PlannedJob",
    "RunningCrawls",
    "ScheduleOptions",
    "SchedulerBusy",
    "StopSignals",
    "SyncReport",
    "build_trigger",
    "check_schedules",
    "crontab_weekdays",
    "data_dir_lock",
    "describe_trigger",
    "format_plan",
    "job_args",
    "make_scheduler",
    "parse_schedule",
    "plan_jobs",
    "run_site",
    "scheduled_sites",
    "serve",
    "stop_crawls",
    "store_url",
    "sync_jobs",
]


def __getattr__(name: str) -> Any:
    """Load the submodule that defines ``name`` (PEP 562), then cache the name here."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
