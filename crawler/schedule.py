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
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from types import FrameType
from typing import IO, Any, cast

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from archive.history import HISTORY_FILE
from archive.repair import repair_data_dir
from archive.runs import RunLog
from crawler.config import SiteConfig, parse_schedule

logger = logging.getLogger("blogarchive.schedule")

JOB_FUNC = "crawler.schedule:run_site"
STORE_FILE = "schedule.sqlite3"
LOCK_FILE = "schedule.lock"
JOB_OPTIONS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
TAIL_LINES = 8


class SchedulerBusy(RuntimeError):
    """Another ``blogarchive schedule`` holds this data dir."""


# -- jobs ------------------------------------------------------------------------------


def build_trigger(schedule: str, timezone: tzinfo | None = None) -> Any:
    """``every N<s|m|h|d>`` → IntervalTrigger; a 5-field cron expression → CronTrigger.

    Cron weekday numbers mean what they mean in crontab (0 and 7 are Sunday), not what
    APScheduler 3 makes of them (0 is Monday). As in APScheduler, a day of the month and
    a day of the week that are both restricted must both match (cron fires when either does).
    """
    spec = parse_schedule(schedule)
    if isinstance(spec, timedelta):
        return IntervalTrigger(days=spec.days, seconds=spec.seconds, timezone=timezone)
    minute, hour, day, month, weekday = spec.split()
    crontab = " ".join((minute, hour, day, month, crontab_weekdays(weekday)))
    return CronTrigger.from_crontab(crontab, timezone=timezone)


WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_CHARS = set("0123456789*-,/") | set("".join(WEEKDAYS))


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler weekday names (``1-5`` → ``mon,...,fri``)."""
    text = field.lower()
    if text == "*" or not set(text) <= _WEEKDAY_CHARS:
        return field
    days: set[int] = set()
    for part in text.split(","):
        days |= _weekday_part(part)
    return ",".join(WEEKDAYS[d] for d in sorted(days)) if len(days) < 7 else "*"


def _weekday_part(part: str) -> set[int]:
    base, _, step = part.partition("/")
    first, _, last = base.partition("-")
    if base == "*":
        low, high = 0, 6
    else:
        low = _weekday(first)
        high = _weekday(last) if last else (6 if step else low)
        if last and high == 0:
            high = 7  # "5-7" and "fri-sun" end on Sunday
    if high < low:
        raise ValueError(f"day of week range {part!r} runs backwards")
    return {day % 7 for day in range(low, high + 1, int(step or 1))}


def _weekday(token: str) -> int:
    if token in WEEKDAYS:
        return WEEKDAYS.index(token)
    if token.isdigit() and int(token) <= 7:
        return int(token)
    raise ValueError(f"bad day of week {token!r} (0-7 or sun-sat)")


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


def _trigger_key(trigger: Any) -> str:
    return f"{trigger}@{getattr(trigger, 'timezone', '')}"


def _first_run(trigger: Any, now: datetime) -> datetime | None:
    """A new interval job runs at once; a cron job at its next time."""
    if isinstance(trigger, IntervalTrigger):
        return now
    next_time: datetime | None = trigger.get_next_fire_time(None, now)
    return next_time


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
    if job is not None and _trigger_key(job.trigger) == _trigger_key(trigger):
        # Same schedule: keep the stored next run time (a missed run stays due).
        scheduler.modify_job(name, func=JOB_FUNC, args=args, kwargs={}, name=name, **JOB_OPTIONS)
        report.kept.append(name)
        return
    first = _first_run(trigger, now)
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


# -- --list ----------------------------------------------------------------------------


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
    if job is not None and _trigger_key(job.trigger) == _trigger_key(trigger):
        next_run, note = job.next_run_time, "stored"
    else:
        next_run, note = _first_run(trigger, now), "new" if job is None else "changed"
    if next_run is not None and next_run <= now:
        note = "due: runs at start" if note == "new" else "overdue: runs once at start"
    return PlannedJob(site.name, site.schedule, describe_trigger(trigger), next_run, note)


def describe_trigger(trigger: Any) -> str:
    """``interval 6:00:00`` or ``cron (Europe/Paris)``."""
    interval = getattr(trigger, "interval", None)
    if interval is not None:
        return f"interval {interval}"
    return f"cron ({trigger.timezone})"


def format_plan(jobs: list[PlannedJob]) -> str:
    width = max([4, *(len(job.site) for job in jobs)])
    lines = [f"{'SITE':{width}}  {'SCHEDULE':14} {'TRIGGER':18} {'NEXT RUN':25} NOTE"]
    for job in jobs:
        when = job.next_run.isoformat(timespec="seconds") if job.next_run else "-"
        lines.append(
            f"{job.site:{width}}  {job.schedule or '-':14} {job.trigger:18} {when:25} {job.note}"
        )
    return "\n".join(lines)


# -- one run ---------------------------------------------------------------------------


class RunningCrawls:
    """The crawl processes of this scheduler, so that a stop can signal them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._idle = threading.Condition(self._lock)
        self.stopping = False

    def launch(self, site: str, argv: list[str]) -> subprocess.Popen[str] | None:
        """Start a crawl unless the scheduler is stopping."""
        with self._lock:
            if self.stopping:
                return None
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
            )
            self._procs[site] = proc
            return proc

    def done(self, site: str) -> None:
        with self._lock:
            self._procs.pop(site, None)
            self._idle.notify_all()

    def stop(self, signum: int) -> list[str]:
        """No more launches; send ``signum`` to every crawl's process group."""
        with self._lock:
            self.stopping = True
            procs = dict(self._procs)
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signum)
        return sorted(procs)

    def wait_idle(self, timeout: float, cancel: threading.Event | None = None) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._procs:
                left = deadline - time.monotonic()
                if left <= 0 or (cancel is not None and cancel.is_set()):
                    return False
                self._idle.wait(min(left, 0.2))
            return True

    def reset(self) -> None:
        with self._lock:
            self.stopping = False


RUNS = RunningCrawls()


def crawl_argv(site: str, config: str, data_dir: str, settings: list[str]) -> list[str]:
    overrides = [arg for value in settings for arg in ("-s", value)]
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        site,
        "--trigger",
        "schedule",
        "--config",
        config,
        "--data-dir",
        data_dir,
        *overrides,
    ]


def run_site(
    site: str, config: str, data_dir: str, settings: list[str], redis_url: str | None = None
) -> int:
    """The job: one ``blogarchive crawl SITE --trigger schedule`` process; its exit code.

    With ``redis_url`` (``schedule --redis``) the crawl is put on the RQ queue instead.
    Never raises for a failed crawl: it logs why, and the scheduler goes on.
    """
    if redis_url:
        from crawler.queue.enqueue import enqueue_scheduled

        return enqueue_scheduled(site, config, data_dir, settings, redis_url)
    holder = _running_elsewhere(site, Path(data_dir))
    if holder:
        logger.warning("%s: skipped, a crawl of it is already running (pid %s)", site, holder)
        return 0
    started = time.monotonic()
    proc = RUNS.launch(site, crawl_argv(site, config, data_dir, settings))
    if proc is None:
        return 0
    logger.info("%s: crawl started (pid %d)", site, proc.pid)
    try:
        out, err = _drain(proc)
    finally:
        RUNS.done(site)
    _report(site, proc.returncode, out, err, time.monotonic() - started)
    return proc.returncode


def _running_elsewhere(site: str, data_dir: Path) -> int | None:
    """The pid of a live run of ``site`` recorded in the run history, if any."""
    path = data_dir / HISTORY_FILE
    if not path.exists():
        return None
    log = RunLog(path)
    try:
        log.mark_interrupted()
        live = [r for r in log.list(site=site, limit=5) if r.status == "running"]
    finally:
        log.close()
    return (live[0].pid or -1) if live else None


def _drain(proc: subprocess.Popen[str]) -> tuple[deque[str], deque[str]]:
    """Read both pipes to the end (keeping the last lines) and wait for the process."""
    err: deque[str] = deque(maxlen=TAIL_LINES)
    if proc.stdout is None or proc.stderr is None:
        raise RuntimeError("the crawl's pipes are missing")
    reader = threading.Thread(target=_tail, args=(proc.stderr, err), daemon=True)
    reader.start()
    out: deque[str] = deque(maxlen=TAIL_LINES)
    _tail(proc.stdout, out)
    reader.join()
    proc.wait()
    return out, err


def _tail(stream: IO[str], lines: deque[str]) -> None:
    with stream:
        for line in stream:
            if line.strip():
                lines.append(line.rstrip())


def _report(site: str, code: int, out: deque[str], err: deque[str], seconds: float) -> None:
    summary = next((line for line in out if line.startswith(f"{site}:")), "")
    if code == 0:
        logger.info("%s", summary or f"{site}: done in {seconds:.1f} s")
    elif RUNS.stopping and code in (1, 130, -signal.SIGINT, -signal.SIGKILL):
        logger.warning("%s: crawl stopped by the scheduler's shutdown (exit %d)", site, code)
    else:
        why = " | ".join(list(err)[-4:]) or summary or "no output"
        logger.error("%s: crawl failed (exit %d) after %.1f s: %s", site, code, seconds, why)


# -- the scheduler ---------------------------------------------------------------------


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One scheduler per data dir (raises :class:`SchedulerBusy`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SchedulerBusy(f"another scheduler is running on {data_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True, kw_only=True)
class ScheduleOptions:
    config: Path
    data_dir: Path
    settings: list[str]
    max_workers: int = 4
    stop_timeout: float = 60.0
    redis_url: str | None = None


class StopSignals:
    """SIGTERM/SIGINT set ``stop``; a second one sets ``force`` (skip the graceful wait)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.force = threading.Event()
        self.signal_name = ""

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            self.force.set()
        self.signal_name = signal.Signals(signum).name
        self.stop.set()


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]
    """Processes no jobs unless running.

    APScheduler 3's loop runs one more round after ``shutdown()``; a job due then would
    be submitted to the closed executor (an error) and its stored next run time advanced
    without a run, losing it for the misfire policy.
    """

    def _process_jobs(self) -> float | None:
        if self.state != STATE_RUNNING:
            return None
        return cast(float | None, super()._process_jobs())


def make_scheduler(data_dir: Path, max_workers: int) -> Any:

    return _Scheduler(
        jobstores={"default": SQLAlchemyJobStore(url=store_url(data_dir))},
        executors={"default": ThreadPoolExecutor(max_workers)},
        job_defaults=dict(JOB_OPTIONS),
    )


def serve(sites: Iterable[SiteConfig], options: ScheduleOptions, signals: StopSignals) -> int:
    """Run the scheduler until ``signals.stop`` is set; 0 after a clean stop."""
    with data_dir_lock(options.data_dir):
        scheduler = make_scheduler(options.data_dir, options.max_workers)
        scheduler.start(paused=True)
        try:
            report = sync_jobs(
                scheduler,
                sites,
                options.config,
                options.data_dir,
                options.settings,
                options.redis_url,
            )
            logger.info("jobs synced from %s: %s", options.config, report.describe())
            if not scheduler.get_jobs():
                logger.error("no site in %s has a schedule (or all are paused)", options.config)
                return 1
            _log_jobs(scheduler)
            RUNS.reset()
            scheduler.resume()
            while not signals.stop.wait(1.0):
                pass
            logger.info("%s received: stopping", signals.signal_name or "stop")
            scheduler.pause()
            stop_crawls(options.data_dir, options.stop_timeout, signals.force)
        finally:
            scheduler.shutdown(wait=True)
    logger.info("scheduler stopped")
    return 0


def _log_jobs(scheduler: Any) -> None:
    for job in scheduler.get_jobs():
        when = job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "-"
        logger.info("job %s: %s, next run %s", job.id, describe_trigger(job.trigger), when)


def stop_crawls(data_dir: Path, timeout: float, force: threading.Event) -> None:
    """SIGINT every running crawl, wait up to ``timeout`` s, then SIGKILL the rest."""
    running = RUNS.stop(signal.SIGINT)
    if running:
        logger.info("waiting up to %.0f s for %s to close", timeout, ", ".join(running))
    if not RUNS.wait_idle(timeout, force):
        killed = RUNS.stop(signal.SIGKILL)
        logger.warning("killed %s: no graceful stop in time", ", ".join(killed))
        RUNS.wait_idle(10.0)
        repair_data_dir(data_dir)  # logs what it repairs
    _mark_interrupted(data_dir)


def _mark_interrupted(data_dir: Path) -> None:
    """Runs of crawls that died before recording their end (killed, or SIGINT at startup)."""
    if not (data_dir / HISTORY_FILE).exists():
        return
    log = RunLog(data_dir / HISTORY_FILE)
    try:
        log.mark_interrupted()
    finally:
        log.close()
