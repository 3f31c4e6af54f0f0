"""Schedule strings: ``every 6h`` intervals and crontab expressions, parsed and checked.

``crawler.config`` validates each site's schedule here and the triggers are built from the
same parse (:mod:`crawler.schedule.triggers`). Only a cron expression imports APScheduler,
and only its cron trigger, to check the fields: loading a config never imports the
scheduler's job store (SQLAlchemy).
"""

from __future__ import annotations

import re
from datetime import timedelta

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_CHARS = set("0123456789*-,/") | set("".join(WEEKDAYS))
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DAYS = 3650


def parse_duration(text: str) -> timedelta:
    """``"6h"`` → 6 hours (units s, m, h, d); raises ValueError."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError("write a duration as N with s, m, h or d (e.g. '6h', '7d')")
    return _timedelta(match)


def _timedelta(match: re.Match[str]) -> timedelta:
    amount = int(match.group(1))
    if amount <= 0:
        raise ValueError("the interval must be positive")
    if amount * _SECONDS[match.group(2)] > MAX_DAYS * 86400:
        raise ValueError(f"the interval must be at most {MAX_DAYS} days")
    return timedelta(**{_UNITS[match.group(2)]: amount})


def parse_schedule(text: str) -> timedelta | str:
    """``"every 6h"`` → a timedelta; a 5-field cron expression → itself (validated)."""
    spec = text.strip()
    match = _EVERY.match(spec)
    if match:
        return _timedelta(match)
    if spec.startswith("every"):
        raise ValueError("write intervals as 'every N' with s, m, h or d (e.g. 'every 6h')")
    if len(spec.split()) != 5:
        raise ValueError("expected 'every N<s|m|h|d>' or a 5-field cron expression")
    from apscheduler.triggers.cron import CronTrigger

    CronTrigger.from_crontab(apscheduler_crontab(spec))
    return spec


def apscheduler_crontab(spec: str) -> str:
    """A crontab expression with its weekdays as names, which APScheduler reads as crontab does."""
    minute, hour, day, month, weekday = spec.split()
    return " ".join((minute, hour, day, month, crontab_weekdays(weekday)))


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
