"""Machine-readable dates → ISO 8601, kept as published (offset kept, a bare date stays a date)."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

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


def first_iso(values: list[object]) -> str | None:
    return next((iso for iso in map(to_iso, values) if iso), None)
