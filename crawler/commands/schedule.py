"""``blogarchive schedule [--list]``: crawl each site on its schedule until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from crawler.commands import add_config_option, add_settings_option
from crawler.config import ConfigError, load_sites, resolve_config_path

DESCRIPTION = """\
Run in the foreground and crawl each site of the config on its own schedule ("every 6h"
or a 5-field cron expression), until SIGTERM or SIGINT. Paused sites and sites without a
schedule get no job. Jobs are kept in DATA/schedule.sqlite3 and synced from the config at
each start. Each run is `blogarchive crawl SITE --trigger schedule` in its own process,
at most one per site at a time; a failed run is logged and the scheduler goes on.

Misfire policy: runs missed while the scheduler was down are coalesced into one run,
however late: a site that missed its time is crawled once as soon as the scheduler
starts, then follows its schedule. A run that falls due while the site's previous run is
still going is skipped. A new site with an interval schedule is crawled at once; a cron
schedule waits for its next time.

Stop: on SIGTERM or SIGINT no more runs start; running crawls get SIGINT and close
their WARC and JSONL files; after --stop-timeout seconds the rest are killed (a second
signal kills them at once); then the command exits 0.

With --redis URL the scheduler runs no crawl itself: each due site is put on the RQ
queue as a job for `blogarchive worker` (a site already queued or running is skipped).
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schedule",
        help="crawl each site on its schedule (foreground, until SIGTERM)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="show each site's job and next run time, and exit (computed from the config "
        "and the stored jobs; nothing is written or started)",
    )
    add_config_option(parser)
    add_settings_option(parser, "Scrapy setting passed to every crawl (repeatable)")
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="enqueue each due crawl on this Redis for `blogarchive worker` instead of "
        "running it here (e.g. redis://host:6379/0)",
    )
    parser.add_argument(
        "--max-workers",
        type=int,
        default=4,
        metavar="N",
        help="crawls that may run at once, one per site (default 4)",
    )
    parser.add_argument(
        "--stop-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="on SIGTERM/SIGINT, wait this long for running crawls to close before "
        "killing them (default 60)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from archive import DataDir

    config = resolve_config_path(args.config)
    data_dir = DataDir.resolve(args.data_dir).path
    try:
        sites = load_sites(config)
        _check_args(args)
        from crawler import schedule

        schedule.check_schedules(sites.values())
    except (ConfigError, ValueError) as exc:
        print(f"blogarchive schedule: {exc}", file=sys.stderr)
        return 2

    if args.list:
        print(schedule.format_plan(schedule.plan_jobs(sites.values(), data_dir)))
        return 0
    _configure_logging()
    signals = schedule.StopSignals()
    signals.install()
    options = schedule.ScheduleOptions(
        config=config,
        data_dir=data_dir,
        settings=list(args.settings),
        max_workers=args.max_workers,
        stop_timeout=args.stop_timeout,
        redis_url=args.redis,
    )
    try:
        return schedule.serve(sites.values(), options, signals)
    except schedule.SchedulerBusy as exc:
        print(f"blogarchive schedule: {exc}", file=sys.stderr)
        return 1


def _check_args(args: argparse.Namespace) -> None:
    """Raises ValueError for options every run would fail on."""
    if args.max_workers < 1:
        raise ValueError("--max-workers must be at least 1")
    if args.stop_timeout < 0:
        raise ValueError("--stop-timeout must be >= 0")
    if args.settings:
        from crawler.commands.crawl import check_overrides, parse_overrides

        check_overrides(parse_overrides(args.settings))


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
