"""Crawl many blogs with many workers: RQ jobs on Redis, one job per group of sites.

A job crawls its group in one ``blogarchive crawl SITE... --trigger worker`` process, so
each blog is only ever fetched by one process (per-site locks in Redis make sure of it
across jobs) and Scrapy's per-host politeness holds without extra code. Modules:

- :mod:`crawler.queue.locks`: per-site crawl locks and per-site queue claims in Redis;
- :mod:`crawler.queue.enqueue`: enqueueing groups of sites;
- :mod:`crawler.queue.jobs`: the job that crawls one group, in a crawl subprocess that
  dies with the job (:mod:`crawler.process`);
- :mod:`crawler.queue.worker`: the RQ worker, tuned so that a dead worker's job is
  retried within about a minute.

Redis is needed only here: without ``--redis`` everything runs on one machine as before.
"""

from __future__ import annotations

import os

QUEUE = "blogarchive"
REDIS_ENV = "BLOGARCHIVE_REDIS_URL"
KEY_PREFIX = "blogarchive"
DEFAULT_GROUP_SIZE = 10
DEFAULT_JOB_TIMEOUT = 4 * 3600
DEFAULT_RETRIES = 2


def resolve_redis_url(url: str | None) -> str | None:
    """``--redis URL``, else ``$BLOGARCHIVE_REDIS_URL``, else None."""
    return url or os.environ.get(REDIS_ENV) or None
