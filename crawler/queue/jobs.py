"""The RQ job: crawl one group of sites, as ``blogarchive crawl SITE... --trigger worker``.

An attempt locks its sites (a site another job is crawling is skipped and reported),
runs the crawl in a subprocess that dies with the job, and writes files tagged with the
worker's name and the attempt number (``SITE_WORKERaN-…``), so no two attempts or
workers ever write the same file. Exit 0 or 1 (crawled; a failed site is in the run
history) ends the job; a crawl killed or crashed otherwise, or one that exits 1 before a
site's run began (no run of its process in the history), raises, and RQ retries the
job. A retry starts with crash repair of the dead attempt's ``.open`` files, resumes
from the recorded frontier, and the capture and version history keep it from archiving
a post twice.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis
from rq import get_current_job
from rq.exceptions import AbandonedJobError
from rq.job import Job

from archive.datadir import HISTORY_FILE
from archive.state.runs import COUNTS, RunLog
from crawler.process import ChildCrawl, CrawlCommand
from crawler.queue.locks import LockKeeper, SiteLocks, release_claims

logger = logging.getLogger("blogarchive.worker")

JOB_FUNC = "crawler.queue.jobs.crawl_group"
FAILURE_CALLBACK = "crawler.queue.jobs.on_failure"
STOP_GRACE = 10.0
WORKER_OVERRIDES: ContextVar[Mapping[str, str] | None] = ContextVar(
    "WORKER_OVERRIDES", default=None
)
"""``config`` and ``data_dir`` of the worker running the job, which win over the job's; the
worker sets them for the job's duration (:attr:`crawler.queue.worker.CrawlWorker.overrides`)."""


class CrawlDied(RuntimeError):
    """The crawl process was killed or crashed: the job fails, and RQ may retry it."""


@dataclass(frozen=True)
class Attempt:
    job_id: str
    number: int
    worker: str

    @classmethod
    def start(cls, job: Job) -> Attempt:
        """Count the attempt in the job's meta (RQ's own counters differ by failure path)."""
        number = int(job.get_meta(refresh=True).get("attempts", 0)) + 1
        job.meta["attempts"] = number
        job.save_meta()  # type: ignore[no-untyped-call]
        return cls(job.id, number, os.environ.get("RQ_WORKER_ID") or socket.gethostname())

    @property
    def tag(self) -> str:
        """For file names: ``w1a2`` is worker ``w1``, second attempt."""
        return f"{re.sub(r'[^A-Za-z0-9.]+', '_', self.worker).strip('_')}a{self.number}"

    @property
    def owner(self) -> str:
        return f"{self.job_id} {self.number} {self.worker}"


def crawl_group(
    sites: list[str],
    config: str,
    data_dir: str,
    settings: list[str] | None = None,
    max_pages: int | None = None,
) -> dict[str, Any]:
    """The job function: crawl the group's free sites in one process; a summary."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("crawl_group runs inside an RQ job")
    attempt = Attempt.start(job)
    locks = SiteLocks(job.connection, job.id, attempt.owner)
    held, busy = locks.acquire(sites)
    for site, holder in busy.items():
        logger.warning("%s: skipped, being crawled by job %s", site, holder)
    overrides = WORKER_OVERRIDES.get() or {}
    crawl = CrawlCommand(
        sites=held,
        trigger="worker",
        config=overrides.get("config", config),
        data_dir=overrides.get("data_dir", data_dir),
        settings=list(settings or []),
        max_pages=max_pages,
        tag=attempt.tag,
        worker=attempt.worker,
    )
    try:
        code, summary, pid = _run(job, attempt, locks, crawl) if held else (0, [], 0)
    finally:
        locks.release(held)
    if code not in (0, 1):
        raise CrawlDied(f"crawl of {', '.join(held)} ended with {_describe(code)}")
    unstarted = _unstarted(crawl, pid) if code == 1 else []
    if unstarted:
        # Exit 1 before a site's run began (a locked or unwritable archive): nothing of
        # it is in the run history, so the job is not done.
        raise CrawlDied(f"crawl of {', '.join(unstarted)} failed before it started (exit 1)")
    release_claims(job.connection, sites, job.id)
    return {
        "worker": attempt.worker,
        "attempt": attempt.number,
        "crawled": held,
        "skipped": busy,
        "exit_code": code,
        "summary": summary,
    }


def _run(
    job: Job, attempt: Attempt, locks: SiteLocks, crawl: CrawlCommand
) -> tuple[int, list[str], int]:
    # SIGTERM, then SIGKILL; and the crawl dies with the job. Its stderr is the worker's log.
    # The work horse has no other thread yet (the lock keeper starts after this).
    child = ChildCrawl.launch(
        crawl.argv(), stop_signal=signal.SIGTERM, pipe_stderr=False, die_with_parent=True
    )
    logger.info(
        "job %s attempt %d: crawling %s (pid %d)",
        job.id,
        attempt.number,
        ", ".join(crawl.sites),
        child.pid,
    )

    def lost(sites: list[str]) -> None:
        logger.error("lost the crawl lock of %s: stopping the crawl", ", ".join(sites))
        child.interrupt()

    try:
        _remember(job, attempt, crawl, child.pid)
        with LockKeeper(locks, crawl.sites, lost):
            summary, _ = child.tail(lines=None)
    finally:
        child.stop(STOP_GRACE)
    for line in summary:
        logger.info("%s", line)
    return child.proc.returncode, summary, child.pid


def _unstarted(crawl: CrawlCommand, pid: int) -> list[str]:
    """The sites for which the crawl process ``pid`` recorded no run."""
    history = Path(crawl.data_dir) / HISTORY_FILE
    if not history.is_file():
        return list(crawl.sites)
    log = RunLog(history)
    try:
        return [s for s in crawl.sites if all(r.pid != pid for r in log.list(site=s, limit=20))]
    finally:
        log.close()


def _remember(job: Job, attempt: Attempt, crawl: CrawlCommand, pid: int) -> None:
    """Where the attempt's runs are, for :func:`on_failure` (the attempt may die)."""
    job.meta["crawl"] = {
        "attempt": attempt.number,
        "worker": attempt.worker,
        "pid": pid,
        "host": socket.gethostname(),
        "data_dir": crawl.data_dir,
        "sites": crawl.sites,
    }
    job.save_meta()  # type: ignore[no-untyped-call]


def _describe(code: int) -> str:
    if code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"exit code {code}"


def on_failure(job: Job, connection: Redis, exc_type: Any, *exc: Any) -> None:
    """RQ failure callback: an attempt failed or its worker died (AbandonedJobError).

    Its runs still marked ``running`` get the worker's name in the run history.
    """
    crawl = job.get_meta(refresh=True).get("crawl")
    if not crawl:
        return
    died = isinstance(exc_type, type) and issubclass(exc_type, AbandonedJobError)
    why = "worker died" if died else getattr(exc_type, "__name__", "failed")
    reason = f"worker {crawl['worker']}, job {job.id} attempt {crawl['attempt']}: {why}"
    mark_runs(Path(crawl["data_dir"]), crawl, "interrupted" if died else "failed", reason)


def mark_runs(data_dir: Path, crawl: dict[str, Any], status: str, reason: str) -> int:
    """End the attempt's runs left ``running``; how many there were."""
    path = data_dir / HISTORY_FILE
    if not path.exists():
        return 0
    log = RunLog(path)
    try:
        stale = [
            run
            for run in log.list(limit=max(100, 4 * len(crawl["sites"])))
            if run.status == "running"
            and run.pid == crawl["pid"]
            and run.host == crawl["host"]
            and run.site in crawl["sites"]
        ]
        for run in stale:
            log.finish(run.id, status, {name: getattr(run, name) for name in COUNTS}, reason)
    finally:
        log.close()
    return len(stale)
