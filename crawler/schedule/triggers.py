"""Schedules as APScheduler triggers: ``every 6h`` intervals and crontab expressions."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.schedule.spec import apscheduler_crontab, parse_schedule


def build_trigger(schedule: str, timezone: tzinfo | None = None) -> Any:
    """``every N<s|m|h|d>`` → IntervalTrigger; a 5-field cron expression → CronTrigger.

    Cron weekday numbers mean what they mean in crontab (0 and 7 are Sunday), not what
    APScheduler 3 makes of them (0 is Monday). As in APScheduler, a day of the month and
    a day of the week that are both restricted must both match (cron fires when either does).
    """
    spec = parse_schedule(schedule)
    if isinstance(spec, timedelta):
        return IntervalTrigger(days=spec.days, seconds=spec.seconds, timezone=timezone)
    return CronTrigger.from_crontab(apscheduler_crontab(spec), timezone=timezone)


def trigger_key(trigger: Any) -> str:
    """Equal for triggers that fire at the same times (a stored job's and the config's)."""
    return f"{trigger}@{getattr(trigger, 'timezone', '')}"


def first_run(trigger: Any, now: datetime) -> datetime | None:
    """A new interval job runs at once; a cron job at its next time."""
    if isinstance(trigger, IntervalTrigger):
        return now
    next_time: datetime | None = trigger.get_next_fire_time(None, now)
    return next_time


def describe_trigger(trigger: Any) -> str:
    """``interval 6:00:00`` or ``cron (Europe/Paris)``."""
    interval = getattr(trigger, "interval", None)
    if interval is not None:
        return f"interval {interval}"
    return f"cron ({trigger.timezone})"
