"""``blogarchive worker``: an RQ worker that runs the crawl jobs of ``enqueue``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from crawler.queue import QUEUE, REDIS_ENV, resolve_redis_url

DESCRIPTION = f"""\
Run crawl jobs from Redis until SIGTERM or SIGINT (a first signal lets the running job
finish; a second one kills it), or with --burst until the queue is empty. Each job crawls
a group of sites as `blogarchive crawl SITE... --trigger worker` in its own process
group; killing the job or the worker kills that crawl. Files are named with the worker
and the attempt (SITE_WORKERaN-...), so workers never write the same file.

The data dir and the config are the ones each job was enqueued with (share them, e.g.
on a shared filesystem), unless --data-dir (or $BLOGARCHIVE_DATA_DIR) or --config is
given here: then this worker writes its own data dir (merge them with `reindex`).

A job whose worker died (SIGKILL, a lost machine) is retried by another worker when its
heartbeat has expired and a worker has cleaned the queue: at most monitor-interval x 3 +
maintenance-interval seconds (60 s with the defaults). Redis: --redis URL, else
${REDIS_ENV}.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker",
        help="run crawl jobs from a Redis queue (RQ)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--redis", metavar="URL", help=f"Redis URL (default: ${REDIS_ENV})")
    parser.add_argument("--queue", default=QUEUE, help=f"queue name (default {QUEUE})")
    parser.add_argument("--name", help="worker name, in file names (default: HOST-PID)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--config", metavar="FILE", help="sites config instead of the job's")
    parser.add_argument(
        "--monitor-interval",
        type=int,
        default=10,
        metavar="SECONDS",
        help="job heartbeat interval; a job is taken as dead 3 intervals after its last "
        "heartbeat (default 10)",
    )
    parser.add_argument(
        "--maintenance-interval",
        type=int,
        default=30,
        metavar="SECONDS",
        help="how often the queue is checked for jobs of dead workers (default 30)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    url = resolve_redis_url(args.redis)
    if url is None:
        print(
            f"blogarchive worker: no Redis: give --redis URL or set ${REDIS_ENV}", file=sys.stderr
        )
        return 2
    if args.monitor_interval < 1 or args.maintenance_interval < 1:
        print("blogarchive worker: intervals must be at least 1 second", file=sys.stderr)
        return 2
    from redis.exceptions import RedisError

    from crawler.queue.worker import WorkerOptions, run_worker

    options = WorkerOptions(
        redis_url=url,
        queue=args.queue,
        name=args.name,
        burst=args.burst,
        monitor_interval=args.monitor_interval,
        maintenance_interval=args.maintenance_interval,
        overrides=_overrides(args),
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        run_worker(options)
    except (RedisError, ValueError) as exc:
        print(f"blogarchive worker: {exc}", file=sys.stderr)
        return 1
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    found = {}
    data_dir = args.data_dir or os.environ.get("BLOGARCHIVE_DATA_DIR")
    if data_dir:
        found["data_dir"] = str(Path(data_dir).resolve())
    if args.config:
        found["config"] = str(Path(args.config).resolve())
    return found
