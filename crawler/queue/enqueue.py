"""Put crawl jobs on the queue: one job per group of sites, never a site twice.

A group's job id comes from its site names (``crawl-`` and a digest), and each site is
claimed for its job in Redis: a site whose job is still queued or running is refused.
Enqueuers serialize on a short Redis lock, so the scheduler and ``blogarchive enqueue``
can run at the same time.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from redis import Redis
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from crawler.queue import (
    DEFAULT_GROUP_SIZE,
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_RETRIES,
    KEY_PREFIX,
    QUEUE,
)
from crawler.queue.jobs import FAILURE_CALLBACK, JOB_FUNC
from crawler.queue.locks import active_claims, claim

logger = logging.getLogger("blogarchive.enqueue")

ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
ENQUEUE_LOCK = f"{KEY_PREFIX}:enqueue"


@dataclass(frozen=True, kw_only=True)
class CrawlRequest:
    """What every job of one ``enqueue`` gets (absolute paths: workers share them)."""

    config: str
    data_dir: str
    settings: list[str] = field(default_factory=list)
    max_pages: int | None = None
    job_timeout: int = DEFAULT_JOB_TIMEOUT
    retries: int = DEFAULT_RETRIES


@dataclass(frozen=True)
class EnqueueReport:
    jobs: dict[str, list[str]]
    """Job id → its sites."""
    refused: dict[str, str]
    """Site → the queued or running job that already has it."""


def group_id(sites: list[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(sites)).encode(), usedforsecurity=False)
    return f"crawl-{digest.hexdigest()[:20]}"


def groups(sites: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(sites), size):
        yield sites[start : start + size]


def is_active(redis: Redis, job_id: str) -> bool:
    try:
        return Job.fetch(job_id, connection=redis).get_status() in ACTIVE
    except NoSuchJobError:
        return False


def enqueue_sites(
    redis: Redis,
    sites: list[str],
    request: CrawlRequest,
    *,
    group_size: int = DEFAULT_GROUP_SIZE,
    queue_name: str = QUEUE,
) -> EnqueueReport:
    """Enqueue the sites not already queued or running, ``group_size`` per job."""
    queue = Queue(queue_name, connection=redis)
    unique = list(dict.fromkeys(sites))
    with redis.lock(ENQUEUE_LOCK, timeout=60, blocking_timeout=30):
        refused = active_claims(redis, unique, lambda job_id: is_active(redis, job_id))
        jobs: dict[str, list[str]] = {}
        for group in groups([s for s in unique if s not in refused], group_size):
            job = enqueue_group(queue, group, request)
            claim(redis, group, job.id)
            jobs[job.id] = group
    return EnqueueReport(jobs, refused)


def enqueue_group(queue: Queue, sites: list[str], request: CrawlRequest) -> Job:
    """One job for ``sites`` (an old finished or failed job of the same group is replaced)."""
    job_id = group_id(sites)
    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=queue.connection).delete()
    return queue.enqueue_call(
        JOB_FUNC,
        kwargs={
            "sites": sites,
            "config": request.config,
            "data_dir": request.data_dir,
            "settings": request.settings,
            "max_pages": request.max_pages,
        },
        timeout=request.job_timeout,
        job_id=job_id,
        description=f"crawl {' '.join(sites)}",
        retry=Retry(max=request.retries) if request.retries > 0 else None,
        on_failure=Callback(FAILURE_CALLBACK),
        result_ttl=7 * 24 * 3600,
    )


def enqueue_scheduled(
    site: str, config: str, data_dir: str, settings: list[str], redis_url: str
) -> int:
    """``blogarchive schedule --redis``: a due site goes on the queue; 0, or 1 on error."""
    from redis.exceptions import RedisError

    request = CrawlRequest(config=config, data_dir=data_dir, settings=list(settings))
    try:
        with Redis.from_url(redis_url) as redis:
            report = enqueue_sites(redis, [site], request, group_size=1)
    except RedisError as exc:
        logger.error("%s: could not enqueue the crawl: %s", site, exc)
        return 1
    for job_id in report.jobs:
        logger.info("%s: crawl queued as job %s", site, job_id)
    for job_id in report.refused.values():
        logger.warning("%s: skipped, already queued or running as job %s", site, job_id)
    return 0
