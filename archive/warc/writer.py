"""WARC writing: a capture (request, response or revisit, metadata) goes in as one unit.

Records are built by warcio and compressed one gzip member per record, so any record
can be read by seeking to its offset. The compression is ours rather than warcio's
because warcio hard-codes zlib level 9, which costs 1.7x the time of level 6 for the
same ratio (``../shared/research/archive.md`` §6), and goes through zlib-ng
(:mod:`archive.warc.deflate`).

Files are named ``PREFIX-YYYYMMDDhhmmss-SERIAL-HOST.warc.gz`` (WARC 1.1 Annex C, with
the crawling machine as HOST), carry the suffix ``.open`` while written, and are held
with an exclusive ``flock`` so that crash repair never touches a file a live crawl owns.
A capture is written with one unbuffered write and files rotate only between captures,
so a request, its response and its metadata always share a file.

Rolling files (``append``): a crawl first reopens the newest file of its prefix and host
if it is under the size limit, and appends to it (each run adds its own ``warcinfo``
record, then its captures: whole gzip members after whole gzip members), so a recrawl that
stores little adds no file. Closing a file writes its CDXJ index beside it
(:mod:`archive.warc.cdxj`), extended by the appended records only when it was current.
"""

from __future__ import annotations

import fcntl
import heapq
import logging
import os
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO, Self

from warcio.timeutils import datetime_to_iso_date

from archive import __version__
from archive.datadir import OPEN_SUFFIX
from archive.fileio import append, reopen_newest
from archive.records import WarcRef
from archive.warc.cdxj import index_or_warn, is_current, line_for, lines_or_warn
from archive.warc.deflate import gzip_member
from archive.warc.records import (
    ITEM_URI_PREFIX,
    HttpExchange,
    RevisitOf,
    encode,
    metadata_record,
    request_record,
    response_record,
    revisit_record,
    warcinfo_record,
)

__all__ = ["OPEN_SUFFIX", "HttpExchange", "RevisitOf", "WarcFileWriter", "WrittenCapture"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_GZIP_LEVEL = 6
FSYNC_POLICIES = ("capture", "interval", "close")
INDEX_BUFFER_LINES = 10_000
"""Index lines held in memory (about 4 MB) before they go, sorted, to a temporary file: a
1 GB WARC of blog pages holds over 100,000 indexed records, and a crawl's memory must not
grow with them."""
MetadataFactory = Callable[[WarcRef], list[bytes]]


@dataclass(frozen=True, kw_only=True)
class WrittenCapture:
    """Where a capture landed."""

    response: WarcRef
    """The response record, or the revisit record that stands for it."""
    revisit: bool
    warc_date: str

    @property
    def record_id(self) -> str:
        """The response's (or revisit's) id: the records we write always have one."""
        if self.response.record_id is None:
            raise ValueError("a written record without an id")
        return self.response.record_id


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", text).strip("_") or "blogarchive"


def warc_date(moment: datetime) -> str:
    return str(datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True))


class WarcFileWriter:
    """Writes captures to rotating WARC files under one directory.

    ``clock`` and ``record_id`` are injectable so tests can pin dates and ids and
    compare bytes. ``fsync`` is ``"capture"`` (after every capture), ``"interval"``
    (at a capture boundary once ``fsync_interval`` seconds have passed) or ``"close"``.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        prefix: str = "blogarchive",
        max_size: int = DEFAULT_MAX_SIZE,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        warcinfo: dict[str, str] | None = None,
        hostname: str | None = None,
        fsync: str = "interval",
        fsync_interval: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
        record_id: Callable[[], str] = new_record_id,
        append: bool = False,
        index_buffer_lines: int = INDEX_BUFFER_LINES,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size!r}")
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip_level must be 0..9, got {gzip_level!r}")
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_POLICIES)}, got {fsync!r}")
        self.directory = Path(directory)
        self.prefix = _safe_name(prefix)
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.warcinfo = dict(warcinfo or {})
        self.crawl_host = hostname or socket.gethostname()
        self.hostname = _safe_name(self.crawl_host)
        self.fsync = fsync
        self.fsync_interval = fsync_interval
        self._clock = clock
        self._record_id = record_id
        self._file: BinaryIO | None = None
        self._name = ""
        self._serial = 0
        self._last_sync = time.monotonic()
        self.append = append
        self._start = 0
        """Where this writer's records begin in the current file (after a reopen, its old
        size if its index was current; else 0, and the whole file is indexed at close)."""
        self._lines: list[str] | None = []
        """The index lines of this writer's records in the current file, for its index at
        close; None when the file must be read instead (reopened without a current index)."""
        self._runs: list[IO[str]] = []
        """Earlier lines of the current file, sorted, in unlinked temporary files."""
        self.index_buffer_lines = index_buffer_lines
        self.reopened: list[Path] = []
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self.records_written = 0

    @property
    def current_name(self) -> str | None:
        """Final name of the file being written, or None between files."""
        return self._name if self._file else None

    def write_exchange(self, exchange: HttpExchange) -> WarcRef:
        """Append a request and a response record; returns where the response is."""
        return self.write_capture(exchange).response

    def write_capture(
        self,
        exchange: HttpExchange,
        *,
        revisit_of: RevisitOf | None = None,
        metadata: MetadataFactory | None = None,
    ) -> WrittenCapture:
        """Append request, response (or revisit) and metadata records as one unit.

        ``metadata`` gets the response's :class:`WarcRef` and returns JSON payloads,
        one ``metadata`` record each, linked to the response by ``WARC-Concurrent-To``.
        """
        date = warc_date(exchange.fetched_at or self._clock())
        response_id, request_id = self._record_id(), self._record_id()
        if revisit_of is None:
            response = response_record(exchange, response_id, date)
        else:
            response = revisit_record(exchange, response_id, date, revisit_of)
        head = self._encode(request_record(exchange, request_id, date, response_id))
        body = self._encode(response)
        out = self._ensure_file()
        start = out.tell()
        ref = WarcRef(
            filename=self._name, offset=start + len(head), record_id=response_id, length=len(body)
        )
        lines = self._line(response, ref.offset, len(body))
        tail = b""
        for payload in metadata(ref) if metadata else []:
            record = metadata_record(
                ITEM_URI_PREFIX + exchange.url,
                payload,
                self._record_id(),
                date,
                response_id,
                "application/json",
            )
            member = self._encode(record)
            lines += self._line(record, ref.offset + len(body) + len(tail), len(member))
            tail += member
        self._append(out, start, head + body + tail, lines)
        return WrittenCapture(response=ref, revisit=revisit_of is not None, warc_date=date)

    def _line(self, record: object, offset: int, length: int) -> list[str]:
        line = line_for(record, self._name, offset, length) if self._lines is not None else None
        return [line] if line else []

    def close(self) -> None:
        """Finish the current file: fsync, unlock and drop the ``.open`` suffix."""
        if self._file is None:
            return
        os.fsync(self._file.fileno())
        final = self.directory / self._name
        (self.directory / (self._name + OPEN_SUFFIX)).rename(final)
        self._file.close()  # closing releases the flock, after the rename
        self._file = None
        self.closed_files.append(final)
        logger.info("closed WARC file %s", final)
        if self._lines is None:
            index_or_warn(final, self._start)
        else:
            self._lines.sort()
            lines = heapq.merge(*self._runs, self._lines)
            lines_or_warn(final, lines, extend=self._start > 0)
        self._drop_runs()
        self._lines = []

    def _spill(self) -> None:
        """Move the buffered index lines, sorted, to a temporary file; where that cannot
        be written (a full disk), the file is indexed by reading it at close instead."""
        assert self._lines is not None
        try:
            # Open until the WARC closes; unlinked, so a killed crawl leaves nothing behind.
            run = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
            self._runs.append(run)
            run.writelines(sorted(self._lines))
            run.flush()
            run.seek(0)
        except OSError as exc:
            self._give_up_lines(exc)
            return
        self._lines = []

    def _give_up_lines(self, exc: OSError) -> None:
        logger.warning("could not buffer the index of %s (read at close instead): %s",
                       self._name, exc)  # fmt: skip
        self._drop_runs()
        self._lines = None

    def _drop_runs(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _append(self, out: BinaryIO, offset: int, data: bytes, lines: list[str]) -> None:
        """Write one capture in one call; on failure the file is cut back to ``offset``."""
        append(out, data)
        if self._lines is not None:
            self._lines += lines
            if len(self._lines) >= self.index_buffer_lines:
                self._spill()
        self.bytes_written += len(data)
        self._maybe_sync(out)
        if offset + len(data) >= self.max_size:
            self.close()

    def _maybe_sync(self, out: BinaryIO) -> None:
        now = time.monotonic()
        due = self.fsync == "capture" or (
            self.fsync == "interval" and now - self._last_sync >= self.fsync_interval
        )
        if due:
            os.fsync(out.fileno())
            self._last_sync = now

    def _ensure_file(self) -> BinaryIO:
        if self._file is not None:
            return self._file
        self.directory.mkdir(parents=True, exist_ok=True)
        reopened = self._reopen() if self.append and not self.closed_files else None
        if reopened is not None:
            return self._begin(reopened)
        self._start = 0
        self._lines = []
        while True:
            self._serial += 1
            stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}.warc.gz"
            if (self.directory / name).exists():
                continue
            try:
                # "xb" so two crawls never share a file, even with equal timestamps.
                handle = (self.directory / (name + OPEN_SUFFIX)).open("xb", buffering=0)
            except FileExistsError:
                continue
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        self._file, self._name = handle, name
        return self._begin(handle)

    def _begin(self, handle: BinaryIO) -> BinaryIO:
        """Start this run in the file: its own warcinfo record."""
        info = {
            "software": f"blogarchive/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": self.crawl_host,
            **self.warcinfo,
        }
        record = warcinfo_record(self._name, info, self._record_id(), warc_date(self._clock()))
        # Cut back on failure (a full disk): a reopened file keeps its earlier runs whole.
        append(handle, self._encode(record))
        return handle

    def _reopen(self) -> BinaryIO | None:
        """The newest closed file of this prefix and host, locked, renamed ``.open`` and at
        its end; None when there is none under the size limit (or another crawl holds it)."""
        mine = re.compile(
            rf"{re.escape(self.prefix)}-\d{{14}}-\d{{5}}-{re.escape(self.hostname)}\.warc\.gz"
        )
        reopened = reopen_newest(self.directory, mine, self.max_size)
        if reopened is None:
            return None
        path, handle = reopened
        self._start = handle.tell() if is_current(path.with_name(path.name + OPEN_SUFFIX)) else 0
        self._lines = [] if self._start else None
        self._name = path.name
        self._file = handle
        self.reopened.append(path)
        logger.info("appending to WARC file %s (%d bytes)", path.name, handle.tell())
        return handle

    def _encode(self, record: object) -> bytes:
        self.records_written += 1
        return gzip_member(encode(record), self.gzip_level)
