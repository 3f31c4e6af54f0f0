"""Machine-readable dates → ISO 8601, kept as published (offset kept, a bare date stays a date);
the day a URL path names; a UTC timestamp put on the calendar day the page shows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
    r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?$",
    re.IGNORECASE,
)
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publish-date",
    "pubdate",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date",
    "date",
)
UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
EARLIEST_YEAR = 1990
_DAY_THEN_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Formats seen in meta tags and JSON-LD of older sites (never visible relative text).
_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S")


def _offset(raw: str) -> str:
    if raw.upper() == "Z":
        return "Z"
    digits = raw[1:].replace(":", "")
    digits = digits if len(digits) == 4 else digits.ljust(4, "0")
    return f"{raw[0]}{digits[:2]}:{digits[2:]}"


def to_iso(value: object) -> str | None:
    """An ISO 8601 string for a datetime attribute value, or None when not machine-readable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if match := _ISO.match(text):
        day, clock, offset = match.groups()
        if clock is None:
            return day
        if len(clock) == 5:
            clock += ":00"
        return f"{day}T{clock}{_offset(offset) if offset else ''}"
    if match := _COMPACT.match(text):
        return "-".join(match.groups())
    if match := _DAY_THEN_TIME.match(text):  # "2022-01-10T22:06:08:684Z": the day is sure
        return match.group(1)
    return _loose(text)


def _loose(text: str) -> str | None:
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date().isoformat() if "%H" not in fmt else parsed.isoformat()
    return None


def plausible(iso: str) -> bool:
    """Not a generator's zero date ("0001-01-01", Hugo's unset ``.Date``) nor older than the
    web."""
    return iso[:4].isdigit() and int(iso[:4]) >= EARLIEST_YEAR


def first_iso(values: list[object]) -> str | None:
    return next((iso for iso in map(to_iso, values) if iso and plausible(iso)), None)


# /2021/03/03/slug, /2021-03-03-slug, /20210303/, /2021-03/03/: a year, month and day in
# the URL path (a year and month alone name no day, so give no date).
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)(?:[/_-]?)(0[1-9]|1[0-2])(?:[/_-]?)(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)


def url_date(url: str) -> str | None:
    """The day a URL path names (``/2021/03/03/slug``), or None."""
    path = urlsplit(url).path
    for match in _URL_DATE.finditer(path):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            continue
    return None


_UTC_TIME = re.compile(r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)$")
_HOUR = timedelta(hours=1)
# The world's UTC offsets run from -12 to +14 hours.
_WEST, _EAST = -12, 14


def in_utc(iso: str) -> bool:
    """A timestamp given in UTC (the server's clock, not the author's calendar)."""
    return bool(_UTC_TIME.search(iso))


def local_day(iso: str, shown: str | None) -> str:
    """A UTC timestamp re-expressed in the nearest whole-hour offset that puts it on the day
    the page shows (23:30Z shown as the next day is 00:30+01:00), when one exists; else
    ``iso`` unchanged. The instant stays the same."""
    if shown is None or not in_utc(iso):
        return iso
    instant = datetime.fromisoformat(iso)
    midnight = datetime.combine(instant.date(), datetime.min.time(), instant.tzinfo)
    shift = (date.fromisoformat(shown) - instant.date()).days
    if shift == 1:
        hours = -((instant - midnight - timedelta(days=1)) // _HOUR)
    elif shift == -1:
        hours = -((instant - midnight) // _HOUR) - 1
    else:
        return iso
    if not _WEST <= hours <= _EAST:
        return iso
    return instant.astimezone(timezone(hours * _HOUR)).isoformat()
