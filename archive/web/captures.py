"""The captures in the WARC files: every response and revisit record, by URL and by id.

Each WARC file is scanned once (gzip member by member, reading only each record's
head) and re-scanned when its size or modification time changes, so a crawl that is
writing a ``.warc.gz.open`` file shows up on the next request.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from archive.datadir import OPEN_SUFFIX, archive_file, warc_files
from archive.warc.members import Member, scan
from archive.web.scanned import ScannedFiles

CAPTURE_TYPES = ("response", "revisit")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc\.gz$")
_NOT_MODIFIED = "server-not-modified"


@dataclass(frozen=True, kw_only=True)
class Capture:
    """One response or revisit record."""

    url: str
    kind: str
    """``response`` or ``revisit``."""
    date: str
    record_id: str
    filename: str
    """The WARC file's final name (without ``.open``)."""
    offset: int
    status: int | None
    """The HTTP status of the response (304 for a not-modified revisit)."""
    content_type: str | None
    refers_to: str | None
    """For a revisit: the record id of the original response, when stated."""
    profile: str | None

    @property
    def not_modified(self) -> bool:
        return self.profile is not None and _NOT_MODIFIED in self.profile


def valid_filename(name: str) -> bool:
    """Whether ``name`` looks like one of our WARC files (no path, no tricks)."""
    return bool(_FILENAME.match(name)) and ".." not in name


def warc_path(warc_dir: Path, name: str) -> Path | None:
    """The file of WARC ``name`` in ``warc_dir`` (closed, or still ``.open``), if it exists."""
    return archive_file(warc_dir, name) if valid_filename(name) else None


class CaptureIndex:
    """Captures of every WARC file in ``warc_dir``; safe to share between threads."""

    def __init__(self, warc_dir: Path) -> None:
        self.warc_dir = warc_dir
        self._lock = threading.Lock()
        self._files = ScannedFiles(_captures)
        self._by_url: dict[str, list[Capture]] = {}
        self._by_id: dict[str, Capture] = {}
        self._by_place: dict[tuple[str, int], Capture] = {}

    def for_url(self, url: str) -> list[Capture]:
        """The captures of ``url``, oldest first."""
        self._refresh()
        return self._by_url.get(url, [])

    def at(self, filename: str, offset: int) -> Capture | None:
        """The capture whose record starts at ``offset`` in ``filename``."""
        self._refresh()
        return self._by_place.get((filename, offset))

    def original(self, capture: Capture) -> Capture | None:
        """The response record a capture shows: itself, or the one a revisit refers to."""
        if capture.kind == "response":
            return capture
        self._refresh()
        if capture.refers_to and capture.refers_to in self._by_id:
            return self._by_id[capture.refers_to]
        earlier = [c for c in self.for_url(capture.url) if c.kind == "response"]
        earlier = [c for c in earlier if c.date <= capture.date]
        return earlier[-1] if earlier else None

    def _refresh(self) -> None:
        with self._lock:
            captures = self._files.refresh(warc_files(self.warc_dir))
            if captures is not None:
                self._index(captures)

    def _index(self, captures: list[Capture]) -> None:
        captures.sort(key=lambda c: (c.date, c.filename, c.offset))
        by_url: dict[str, list[Capture]] = {}
        for capture in captures:
            by_url.setdefault(capture.url, []).append(capture)
        self._by_url = by_url
        self._by_id = {c.record_id: c for c in captures}
        self._by_place = {(c.filename, c.offset): c for c in captures}


def _captures(path: Path) -> list[Capture]:
    try:
        members = scan(path).members
    except OSError:
        return []
    name = path.name.removesuffix(OPEN_SUFFIX)
    found = (_capture(member, name) for member in members)
    return [capture for capture in found if capture is not None]


def _capture(member: Member, filename: str) -> Capture | None:
    kind = member.header("WARC-Type")
    url = member.header("WARC-Target-URI")
    record_id = member.header("WARC-Record-ID")
    if kind not in CAPTURE_TYPES or not url or not record_id or url.startswith("urn:"):
        return None
    status, content_type = _http_head(member.head)
    profile = member.header("WARC-Profile")
    if status is None and kind == "revisit" and profile and _NOT_MODIFIED in profile:
        # Our not-modified revisits have an empty block (archive/warc/records.py says
        # why); the profile is the record of the server's 304.
        status = 304
    return Capture(
        url=url,
        kind=kind,
        date=member.header("WARC-Date") or "",
        record_id=record_id,
        filename=filename,
        offset=member.offset,
        status=status,
        content_type=content_type,
        refers_to=member.header("WARC-Refers-To"),
        profile=profile,
    )


def _http_head(head: bytes) -> tuple[int | None, str | None]:
    """The HTTP status and Content-Type from the start of a record (after its WARC headers)."""
    parts = head.split(b"\r\n\r\n", 2)
    if len(parts) < 2:
        return None, None
    lines = parts[1].decode("iso-8859-1").split("\r\n")
    words = lines[0].split()
    status = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    content_type = next(
        (
            line.split(":", 1)[1].strip()
            for line in lines[1:]
            if line.lower().startswith("content-type:")
        ),
        None,
    )
    return status, content_type
