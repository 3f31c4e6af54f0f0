"""How long an archived response stays fresh, from its own ``Cache-Control`` or ``Expires``.

A page requisite (an image, a stylesheet) is not asked for again while the headers of its
last capture say it is fresh (RFC 9111 §4.2.1: ``max-age``, else ``Expires`` minus
``Date``); ``no-cache`` and ``no-store`` make it stale at once. Without either header the
site's revalidation interval decides (see :mod:`crawler.spiders.assets`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

from archive.datadir import archive_file
from archive.state.history import Capture
from archive.warc.pointer import PointerError, record_at

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NEVER = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:[=,]|$)", re.IGNORECASE)


def header_lifetime(header: Callable[[str], str | None]) -> timedelta | None:
    """The freshness lifetime its headers give a response (``header(name)`` → value),
    or None when they give none."""
    control = header("Cache-Control") or ""
    if _NEVER.search(control):
        return timedelta(0)
    if match := _MAX_AGE.search(control):
        return timedelta(seconds=int(match.group(1)))
    expires = header("Expires")
    if expires is None:
        return None
    try:
        lifetime = parsedate_to_datetime(expires) - parsedate_to_datetime(header("Date") or "")
    except (TypeError, ValueError):
        return timedelta(0)  # an invalid Expires means already expired (RFC 9111 §5.3)
    return max(lifetime, timedelta(0))


def captured_lifetime(warc_dir: Path, capture: Capture) -> timedelta | None:
    """The lifetime the headers of an archived response give it (None: none, or the
    record cannot be read). The file may be ``.open``: a crawl appends to its site's newest
    WARC, the one that holds the capture."""
    path = archive_file(warc_dir, capture.filename)
    if path is None:
        return None
    try:
        with record_at(path, capture.offset, capture.record_id) as record:
            headers = record.http_headers
            return header_lifetime(headers.get_header) if headers is not None else None
    except PointerError:
        return None
