"""``schedule --list``: the jobs a scheduler started now would have, from the config and store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from crawler.config import SiteConfig
from crawler.schedule.jobs import STORE_FILE, store_url
from crawler.schedule.triggers import build_trigger, describe_trigger, first_run, trigger_key


@dataclass(frozen=True)
class PlannedJob:
    """One line of ``schedule --list``."""

    site: str
    schedule: str | None
    trigger: str
    next_run: datetime | None
    note: str = ""


def plan_jobs(sites: Iterable[SiteConfig], data_dir: Path) -> list[PlannedJob]:
    """Jobs as a scheduler started now would have them; reads the store, never writes it.

    A site whose stored job has the same schedule shows the stored next run time (an
    overdue one runs at start); other sites show the time computed from the config.
    """

    scheduler = BackgroundScheduler()
    stored = {job.id: job for job in _stored_jobs(scheduler, data_dir)}
    now = datetime.now(scheduler.timezone)
    return [_plan(site, stored.get(site.name), scheduler.timezone, now) for site in sites]


def _stored_jobs(scheduler: Any, data_dir: Path) -> list[Any]:
    if not (data_dir / STORE_FILE).exists():
        return []

    store = SQLAlchemyJobStore(url=store_url(data_dir))
    store.start(scheduler, "default")
    try:
        return list(store.get_all_jobs())
    finally:
        store.shutdown()


def _plan(site: SiteConfig, job: Any, timezone: tzinfo, now: datetime) -> PlannedJob:
    if site.paused or not site.schedule:
        note = "paused: no job" if site.paused else "no schedule: no job"
        return PlannedJob(site.name, site.schedule, "-", None, note)
    trigger = build_trigger(site.schedule, timezone)
    if job is not None and trigger_key(job.trigger) == trigger_key(trigger):
        next_run, note = job.next_run_time, "stored"
    else:
        next_run, note = first_run(trigger, now), "new" if job is None else "changed"
    if next_run is not None and next_run <= now:
        note = "due: runs at start" if note == "new" else "overdue: runs once at start"
    return PlannedJob(site.name, site.schedule, describe_trigger(trigger), next_run, note)


def format_plan(jobs: list[PlannedJob]) -> str:
    width = max([4, *(len(job.site) for job in jobs)])
    lines = [f"{'SITE':{width}}  {'SCHEDULE':14} {'TRIGGER':18} {'NEXT RUN':25} NOTE"]
    for job in jobs:
        when = job.next_run.isoformat(timespec="seconds") if job.next_run else "-"
        lines.append(
            f"{job.site:{width}}  {job.schedule or '-':14} {job.trigger:18} {when:25} {job.note}"
        )
    return "\n".join(lines)
