"""Redis keys that keep one site in one crawl, and one site in one queued job.

Crawl lock ``blogarchive:site:NAME``: held while a job crawls the site, with a TTL
that the job renews (``SET NX PX``, renewed by a thread, released at the end). Its
value is ``JOB ATTEMPT WORKER``. A later attempt of the same job takes it over at once:
RQ retries a job only once its previous attempt has failed or died, and a dead worker's
crawl dies with it. A job that finds a site locked by another job skips that site.

Queue claim ``blogarchive:queued:NAME``: the id of the job that will crawl the site.
``enqueue`` refuses a site whose claim names a job still queued or running; a claim of
a finished, failed or deleted job is stale and simply replaced.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self

from redis import Redis
from redis.exceptions import RedisError

from crawler.queue import KEY_PREFIX

logger = logging.getLogger("blogarchive.worker")

LOCK_TTL_MS = 60_000
RENEW_SECONDS = 15.0

# KEYS[1] lock; ARGV: value, "JOB " prefix that may take over, ttl ms. Returns the holder
# when refused, nil when taken.
_ACQUIRE = """
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[2])) ~= ARGV[2] then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return false
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lock_key(site: str) -> str:
    return f"{KEY_PREFIX}:site:{site}"


def claim_key(site: str) -> str:
    return f"{KEY_PREFIX}:queued:{site}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class SiteLocks:
    """The crawl locks of one job attempt."""

    redis: Redis
    job_id: str
    owner: str
    """``JOB ATTEMPT WORKER``: stored as the lock's value."""
    ttl_ms: int = LOCK_TTL_MS

    def acquire(self, sites: Iterable[str]) -> tuple[list[str], dict[str, str]]:
        """Lock what is free; returns the locked sites and ``{site: holder}`` of the rest."""
        held: list[str] = []
        busy: dict[str, str] = {}
        for site in sites:
            holder = self.redis.eval(
                _ACQUIRE, 1, lock_key(site), self.owner, f"{self.job_id} ", self.ttl_ms
            )
            if holder is None:
                held.append(site)
            else:
                busy[site] = _text(holder)
        return held, busy

    def renew(self, sites: Iterable[str]) -> list[str]:
        """Extend the locks; returns the sites whose lock this attempt no longer holds."""
        return [
            site
            for site in sites
            if not self.redis.eval(_RENEW, 1, lock_key(site), self.owner, self.ttl_ms)
        ]

    def release(self, sites: Iterable[str]) -> None:
        for site in sites:
            self.redis.eval(_RELEASE, 1, lock_key(site), self.owner)


class LockKeeper:
    """Renews locks every ``interval`` seconds; calls ``on_lost`` once if one is lost."""

    def __init__(
        self,
        locks: SiteLocks,
        sites: list[str],
        on_lost: Callable[[list[str]], None],
        interval: float = RENEW_SECONDS,
    ) -> None:
        self.locks = locks
        self.sites = sites
        self.on_lost = on_lost
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="site-locks", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                lost = self.locks.renew(self.sites)
            except RedisError as exc:  # away for a moment: the TTL leaves time to retry
                logger.warning("could not renew the crawl locks: %s", exc)
                continue
            if lost:
                self.on_lost(lost)
                return


def active_claims(
    redis: Redis, sites: Iterable[str], is_active: Callable[[str], bool]
) -> dict[str, str]:
    """``{site: job id}`` of the sites claimed by a job that is still queued or running."""
    claimed: dict[str, str] = {}
    for site in sites:
        holder = redis.get(claim_key(site))
        if holder is not None and is_active(_text(holder)):
            claimed[site] = _text(holder)
    return claimed


def claim(redis: Redis, sites: Iterable[str], job_id: str) -> None:
    for site in sites:
        redis.set(claim_key(site), job_id)


def release_claims(redis: Redis, sites: Iterable[str], job_id: str) -> None:
    """Drop the claims that still name ``job_id``."""
    for site in sites:
        redis.eval(_RELEASE, 1, claim_key(site), job_id)
