"""Read WARC and ARC files written by any tool, for ``extract`` and ``verify``.

Files from other tools come gzipped per record (the norm, and what we write), gzipped as
a whole (warcio refuses those, as not seekable), or not compressed at all, and in the
older ARC format too. This reader takes them all and never raises for a damaged file:
where reading stopped and why becomes one line in :attr:`Reading.problem`, and each
record it skipped one line in :attr:`Reading.notes`. A record is only known to be whole
once its block has been read, so the check runs when the caller asks for the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.timeutils import timestamp_to_iso_date

from archive.warc.deflate import DeflateError, gzip_inflater
from archive.warc.members import scan

GZIP_MAGIC = b"\x1f\x8b"
URI_TYPES = ("response", "resource", "request", "revisit", "conversion", "continuation")
"""The record types WARC 1.1 (5.4) requires a ``WARC-Target-URI`` of; a record of one of
them without it cannot be placed, and is skipped with a note."""
_ARC_DATE = re.compile(r"\d{14}")
READ_ERRORS = (ArchiveLoadFailed, EOFError, *DeflateError, OSError, ValueError)
"""What reading a damaged record raises, from warcio, zlib, zlib-ng or the file."""


def drain(record: Any) -> None:
    """Read a record's content to its end, so warcio checks its digests."""
    stream = record.content_stream()
    while stream.read(1 << 20):
        pass


@dataclass(frozen=True)
class Entry:
    """One record, its block not read yet."""

    record: Any
    """warcio's record: read ``content_stream()`` before asking for the next entry."""
    offset: int
    """Where the record starts: its gzip member, or its first byte; in a file gzipped as
    a whole, its first byte in the decompressed stream (the file has no other start)."""
    kind: str
    url: str | None
    """``WARC-Target-URI`` (an ARC record's URL); None only outside :data:`URI_TYPES`."""
    date: str | None
    """``WARC-Date``, or an ARC record's archive date as ISO 8601."""
    record_id: str | None
    """``WARC-Record-ID``; None for ARC records, which have no ids."""


@dataclass
class Reading:
    """What reading one file came to, besides its entries."""

    path: Path
    whole_gzip: bool = False
    notes: list[str] = field(default_factory=list)
    """Records skipped, one line each (the caller names the file)."""
    problem: str | None = None
    """Why reading stopped before the end of the file (cut short, or unreadable)."""


class _Loader(ArcWarcRecordLoader):  # type: ignore[misc]
    """warcio's record parser, minus its crash on a record without a target URI."""

    def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: int) -> Any:
        if uri is None:  # the record is skipped with a note; its block is never parsed
            return None
        return super().load_http_headers(rec_type, uri, stream, length)


class _Records(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, quiet, and willing to read a file gzipped as a whole."""

    INC_RECORD = ""  # its multi-line stderr warning; counted in err_count, noted by us

    single_member = False

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        # As warcio's own: HTTP headers read leniently, ARC headers kept as ARC's.
        self.loader = _Loader(verify_http=False, arc2warc=False)

    def _raise_invalid_gzip_err(self) -> None:
        # Several records in one gzip member: valid WARC, only not seekable per record.
        self.single_member = True


class _Decompressed:
    """A gzip file read as one stream that ends quietly where the file is cut off.

    Python's gzip module raises at a cut and drops what that read had inflated, so the
    records before the cut would be lost; zlib hands over every byte it could inflate.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._inflater = _gzip_inflater()
        self._buffer = bytearray()
        self._position = 0
        self._ended = False
        self.cut = False

    def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            self._inflate(self._raw.read(1 << 16))
        size = len(self._buffer) if size < 0 else size
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def _inflate(self, chunk: bytes) -> None:
        if not chunk:
            self._ended = True
            self.cut = not self._inflater.eof  # the file stops inside a gzip member
            return
        while chunk:
            if self._inflater.eof:  # the next member (files may be concatenated)
                self._inflater = _gzip_inflater()
            self._buffer += self._inflater.decompress(chunk)
            chunk = self._inflater.unused_data if self._inflater.eof else b""


def _gzip_inflater() -> Any:
    return gzip_inflater()


def read_archive(
    reading: Reading, *, check_digests: bool = False, scan_members: bool = True
) -> Iterator[Entry]:
    """The records of a WARC or ARC file, in file order, but those without the target URI
    their type requires (each skipped with a note). ``scan_members``: also look for a cut in
    the last gzip member's trailer, which leaves every record whole (a second pass)."""
    path = reading.path
    reading.whole_gzip = _is_whole_gzip(path)
    with path.open("rb") as raw:
        stream: Any = _Decompressed(raw) if reading.whole_gzip else raw
        records = _Records(stream, check_digests=check_digests)
        try:
            yield from _entries(records, reading)
        except READ_ERRORS as exc:
            reading.problem = f"damaged WARC near byte {records.offset}: {short_reason(exc)}"
        if reading.problem is None and getattr(stream, "cut", False):
            reading.problem = f"ends early at byte {path.stat().st_size}: the gzip stream is cut"
    if reading.problem is None and scan_members and not reading.whole_gzip:
        reading.problem = _cut_member(path)


def _entries(records: _Records, reading: Reading) -> Iterator[Entry]:
    for record in records:
        offset, warnings = records.offset, records.err_count
        entry = _entry(record, offset)
        if entry.url is not None or entry.kind not in URI_TYPES:
            yield entry
        else:
            reading.notes.append(
                f"skipped the {record.rec_type} record at byte {offset}: it has no WARC-Target-URI"
            )
        if _cut_short(record):
            reading.problem = (
                f"ends early at byte {reading.path.stat().st_size}: "
                f"the record at byte {offset} is cut short"
            )
            return
        records.read_to_end()
        if records.err_count > warnings:
            reading.notes.append(f"the record at byte {offset} does not end where its length says")


def _entry(record: Any, offset: int) -> Entry:
    headers = record.rec_headers
    if record.format == "arc":
        url, date, record_id = headers.get_header("uri"), _arc_date(headers), None
    else:
        url = headers.get_header("WARC-Target-URI")
        date, record_id = headers.get_header("WARC-Date"), headers.get_header("WARC-Record-ID")
    if not url or record.rec_type == "arc_header":  # an ARC file's header names the file
        url = None
    elif url.startswith("<") and url.endswith(">"):
        url = url[1:-1]  # WARC 1.0's grammar showed the URI in angle brackets; wget does
    return Entry(
        record=record, offset=offset, kind=record.rec_type, url=url, date=date, record_id=record_id
    )


def _arc_date(headers: Any) -> str | None:
    stamp = headers.get_header("archive-date") or ""
    return str(timestamp_to_iso_date(stamp)) if _ARC_DATE.fullmatch(stamp) else None


def _cut_short(record: Any) -> bool:
    """Whether the file stops inside the record: its block ended before its declared length,
    or its header before its Content-Length (which every WARC record has)."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    if record.format != "arc" and record.length is None:
        return True
    return bool(getattr(stream, "limit", 0) > 0)


def _is_whole_gzip(path: Path) -> bool:
    """Gzipped, and its first gzip member holds more than one record."""
    with path.open("rb") as raw:
        if raw.read(2) != GZIP_MAGIC:
            return False
        raw.seek(0)
        records = _Records(raw, no_record_parse=True)
        try:
            for number, _ in enumerate(records):
                if number == 1:
                    break
        except READ_ERRORS:
            return False
        return records.single_member


def _cut_member(path: Path) -> str | None:
    """A per-record gzip file cut inside a member's trailer holds whole records, yet is cut."""
    with path.open("rb") as raw:
        if raw.read(2) != GZIP_MAGIC:
            return None
    members = scan(path)
    return f"ends early at byte {members.size}: {members.error}" if members.error else None


def short_reason(exc: Exception) -> str:
    """A short printable reason: warcio quotes the bad bytes after ", first line"."""
    text = str(exc).split(", first line")[0].strip() or type(exc).__name__
    return re.sub(r"[^\x20-\x7e]+", " ", text)[:100]
