"""The job store: one job per scheduled site, synced from the config on start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.config import SiteConfig
from crawler.schedule.triggers import build_trigger, first_run, trigger_key

# Stored in every job of DATA/schedule.sqlite3: the package path, which re-exports
# run_site, so that the stores written before the package split still load.
JOB_FUNC = "crawler.schedule:run_site"
STORE_FILE = "schedule.sqlite3"
JOB_OPTIONS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


def scheduled_sites(sites: Iterable[SiteConfig]) -> list[SiteConfig]:
    """The sites that get a job: not paused, with a schedule."""
    return [site for site in sites if site.schedule and not site.paused]


def check_schedules(sites: Iterable[SiteConfig]) -> None:
    """Raise ValueError naming the first site whose schedule makes no trigger."""
    for site in scheduled_sites(sites):
        try:
            build_trigger(site.schedule or "")
        except ValueError as exc:
            raise ValueError(f"site {site.name!r}: schedule {site.schedule!r}: {exc}") from None


def store_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / STORE_FILE).resolve()}"


def job_args(
    site: str, config: Path, data_dir: Path, settings: list[str], redis_url: str | None = None
) -> list[Any]:
    """Plain, picklable arguments of :func:`run_site` (absolute paths)."""
    args = [site, str(config.resolve()), str(data_dir.resolve()), list(settings)]
    return [*args, redis_url] if redis_url else args


@dataclass(frozen=True)
class SyncReport:
    added: list[str]
    kept: list[str]
    changed: list[str]
    removed: list[str]

    def describe(self) -> str:
        parts = [f"{name}: {', '.join(jobs)}" for name, jobs in self._groups() if jobs]
        return "; ".join(parts) or "no jobs"

    def _groups(self) -> list[tuple[str, list[str]]]:
        return [
            ("added", self.added),
            ("kept", self.kept),
            ("changed", self.changed),
            ("removed", self.removed),
        ]


def sync_jobs(
    scheduler: Any,
    sites: Iterable[SiteConfig],
    config: Path,
    data_dir: Path,
    settings: list[str],
    redis_url: str | None = None,
) -> SyncReport:
    """Make the job store match the config (the scheduler must be started, e.g. paused)."""
    wanted = {site.name: site for site in scheduled_sites(sites)}
    removed = [job.id for job in scheduler.get_jobs() if job.id not in wanted]
    for job_id in removed:
        scheduler.remove_job(job_id)
    report = SyncReport(added=[], kept=[], changed=[], removed=removed)
    now = datetime.now(scheduler.timezone)
    for site in wanted.values():
        trigger = build_trigger(site.schedule or "", scheduler.timezone)
        args = job_args(site.name, config, data_dir, settings, redis_url)
        _sync_job(scheduler, site.name, trigger, args, now, report)
    return report


def _sync_job(
    scheduler: Any, name: str, trigger: Any, args: list[Any], now: datetime, report: SyncReport
) -> None:
    job = scheduler.get_job(name)
    if job is not None and trigger_key(job.trigger) == trigger_key(trigger):
        # Same schedule: keep the stored next run time (a missed run stays due).
        scheduler.modify_job(name, func=JOB_FUNC, args=args, kwargs={}, name=name, **JOB_OPTIONS)
        report.kept.append(name)
        return
    first = first_run(trigger, now)
    if job is not None and job.next_run_time is not None and first is not None:
        first = min(first, job.next_run_time)  # a changed schedule keeps a missed run
    scheduler.add_job(
        JOB_FUNC,
        trigger,
        args=args,
        id=name,
        name=name,
        replace_existing=True,
        next_run_time=first,
        **JOB_OPTIONS,
    )
    (report.changed if job is not None else report.added).append(name)
