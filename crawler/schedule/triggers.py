"""Schedules as APScheduler triggers: ``every 6h`` intervals and crontab expressions."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import parse_schedule

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_CHARS = set("0123456789*-,/") | set("".join(WEEKDAYS))


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
