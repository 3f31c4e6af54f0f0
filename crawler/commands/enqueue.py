"""``blogarchive enqueue SITE... | --all``: put crawl jobs on the Redis queue."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import add_config_option, add_settings_option
from crawler.config import ConfigError, load_sites, resolve_config_path
from crawler.queue import (
    DEFAULT_GROUP_SIZE,
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_RETRIES,
    QUEUE,
    REDIS_ENV,
    resolve_redis_url,
)

DESCRIPTION = f"""\
Queue crawls for `blogarchive worker`: one job per group of --group-size sites, each
group crawled in one process by one worker. A site whose job is still queued or running
is refused (listed on stderr; the exit code stays 0). A job is retried --retries times
if its crawl is killed or its worker dies; a job that runs longer than --job-timeout is
killed (and retried: the retry resumes where the crawl stopped). The workers use this
command's --data-dir and --config unless they are given their own.
Redis: --redis URL, else ${REDIS_ENV}.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "enqueue",
        help="queue crawl jobs for `blogarchive worker` (Redis)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site names from the config")
    parser.add_argument("--all", action="store_true", help="every site that is not paused")
    parser.add_argument("--redis", metavar="URL", help=f"Redis URL (default: ${REDIS_ENV})")
    parser.add_argument("--queue", default=QUEUE, help=f"queue name (default {QUEUE})")
    add_config_option(parser)
    parser.add_argument(
        "--group-size",
        type=int,
        default=DEFAULT_GROUP_SIZE,
        metavar="N",
        help=f"sites per job (default {DEFAULT_GROUP_SIZE})",
    )
    parser.add_argument(
        "--job-timeout",
        type=int,
        default=DEFAULT_JOB_TIMEOUT,
        metavar="SECONDS",
        help=f"kill a job after this long (default {DEFAULT_JOB_TIMEOUT})",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=DEFAULT_RETRIES,
        metavar="N",
        help=f"retries of a killed or crashed job (default {DEFAULT_RETRIES})",
    )
    parser.add_argument("--max-pages", type=int, metavar="N", help="fetch at most N pages per site")
    add_settings_option(parser, "Scrapy setting passed to every crawl (repeatable)")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        url, names = _check(args)
    except (ConfigError, ValueError) as exc:
        print(f"blogarchive enqueue: {exc}", file=sys.stderr)
        return 2
    from redis import Redis
    from redis.exceptions import RedisError

    from archive import DataDir
    from crawler.queue.enqueue import CrawlRequest, enqueue_sites

    request = CrawlRequest(
        config=str(resolve_config_path(args.config).resolve()),
        data_dir=str(DataDir.resolve(args.data_dir).path.resolve()),
        settings=list(args.settings),
        max_pages=args.max_pages,
        job_timeout=args.job_timeout,
        retries=args.retries,
    )
    try:
        with Redis.from_url(url) as redis:
            report = enqueue_sites(
                redis, names, request, group_size=args.group_size, queue_name=args.queue
            )
    except RedisError as exc:
        print(f"blogarchive enqueue: {exc}", file=sys.stderr)
        return 1
    for job_id, sites in report.jobs.items():
        print(f"queued {job_id}: {' '.join(sites)}")
    for site, job_id in report.refused.items():
        print(
            f"blogarchive enqueue: {site}: refused, already queued or running as {job_id}",
            file=sys.stderr,
        )
    print(
        f"{len(report.jobs)} job(s) queued on {args.queue}, {len(report.refused)} site(s) refused"
    )
    return 0


def _check(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The Redis URL and the site names (raises ConfigError or ValueError)."""
    url = resolve_redis_url(args.redis)
    if url is None:
        raise ValueError(f"no Redis: give --redis URL or set ${REDIS_ENV}")
    for name in ("group_size", "job_timeout"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    if args.retries < 0 or (args.max_pages is not None and args.max_pages < 1):
        raise ValueError("--retries must be >= 0 and --max-pages positive")
    if bool(args.sites) == bool(args.all):
        raise ValueError("name sites from the config, or use --all")
    sites = load_sites(args.config)
    unknown = [name for name in args.sites if name not in sites]
    if unknown:
        raise ConfigError(f"unknown site {unknown[0]!r}; known: {', '.join(sorted(sites))}")
    if args.settings:
        from crawler.commands.crawl import check_overrides, parse_overrides

        check_overrides(parse_overrides(args.settings))
    return url, [s.name for s in sites.values() if not s.paused] if args.all else args.sites
