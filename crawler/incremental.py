"""Incremental recrawls: skip a post that a feed or sitemap says has not changed.

A post is skipped only when its ``lastmod`` (sitemap) or ``updated`` (Atom) is no
later than its last capture *and* its item is stored; anything else is fetched
(conditionally, so an unchanged post still costs only a 304). A date without a time
counts as the end of that day, so a same-day edit is never missed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from archive.history import History


def parse_when(text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime; None if unreadable."""
    if not text:
        return None
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10 and end_of_day:
        moment = datetime.combine(moment.date(), time.max)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Incremental:
    """Decides from the capture history whether a post can be skipped."""

    def __init__(self, path: Path) -> None:
        self.history = History(path)

    def unchanged(self, url: str, lastmod: str | None) -> bool:
        changed_at = parse_when(lastmod, end_of_day=True)
        if changed_at is None:
            return False
        capture = self.history.last_capture(url)
        if capture is None or self.history.last_version(url) is None:
            return False
        captured_at = parse_when(capture.warc_date)
        return captured_at is not None and changed_at <= captured_at

    def close(self) -> None:
        self.history.close()
