"""WARC writing: one HTTP exchange in, a request and a response record out.

Records are built by warcio and compressed one gzip member per record, so any record
can be read by seeking to its offset. The compression is ours rather than warcio's
because warcio hard-codes zlib level 9, which costs 1.7x the time of level 6 for the
same ratio (``../shared/research/archive.md`` §6).

Files are named ``PREFIX-YYYYMMDDhhmmss-SERIAL-HOST.warc.gz`` (WARC 1.1 Annex C, with
the crawling machine as HOST) and carry the suffix ``.open`` while they are written.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Self
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive import __version__
from archive.records import WarcRef

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_GZIP_LEVEL = 6
# Hop-by-hop framing that no longer describes the stored body: the HTTP client
# de-chunks it, so the record keeps the original header under another name, as
# warcprox and pywb do.
_RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


@dataclass(frozen=True, kw_only=True)
class HttpExchange:
    """One request and its response, as exchanged on the wire (as far as known)."""

    url: str
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    status: int = 200
    reason: str = "OK"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    """The response body as received: still content-encoded, already de-chunked."""
    ip_address: str | None = None
    fetched_at: datetime | None = None


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", text).strip("_") or "blogarchive"


def gzip_member(data: bytes, level: int) -> bytes:
    """Compress ``data`` as one complete gzip member."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


class WarcFileWriter:
    """Writes captures to rotating WARC files under one directory.

    ``clock`` and ``record_id`` are injectable so tests can pin dates and ids and
    compare bytes.
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
        clock: Callable[[], datetime] = utc_now,
        record_id: Callable[[], str] = new_record_id,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size!r}")
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip_level must be 0..9, got {gzip_level!r}")
        self.directory = Path(directory)
        self.prefix = _safe_name(prefix)
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.warcinfo = dict(warcinfo or {})
        self.crawl_host = hostname or socket.gethostname()
        self.hostname = _safe_name(self.crawl_host)
        self._clock = clock
        self._record_id = record_id
        self._file: BinaryIO | None = None
        self._name = ""
        self._serial = 0
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self.records_written = 0

    @property
    def current_name(self) -> str | None:
        """Final name of the file being written, or None between files."""
        return self._name if self._file else None

    def write_exchange(self, exchange: HttpExchange) -> WarcRef:
        """Append a request and a response record; returns where the response is."""
        date = self._warc_date(exchange.fetched_at)
        response_id, request_id = self._record_id(), self._record_id()
        response = _response_record(exchange, response_id, date)
        request = _request_record(exchange, request_id, date, concurrent_to=response_id)
        request_bytes = self._encode(request)
        response_bytes = self._encode(response)
        filename, offset = self._append(request_bytes + response_bytes)
        return WarcRef(
            filename=filename,
            offset=offset + len(request_bytes),
            record_id=response_id,
            length=len(response_bytes),
        )

    def write_records(self, records: Iterable[Any]) -> tuple[str, int]:
        """Append already-built warcio records together; returns (filename, offset)."""
        return self._append(b"".join(self._encode(r) for r in records))

    def close(self) -> None:
        """Finish the current file: flush, fsync and drop the ``.open`` suffix."""
        if self._file is None:
            return
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        final = self.directory / self._name
        (self.directory / (self._name + OPEN_SUFFIX)).rename(final)
        self.closed_files.append(final)
        logger.info("closed WARC file %s", final)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _append(self, data: bytes) -> tuple[str, int]:
        """Write one capture in one call, rotating only between captures."""
        out = self._ensure_file()
        offset = out.tell()
        try:
            _write_all(out, data)
        except OSError:
            _rollback(out, offset)
            raise
        self.bytes_written += len(data)
        filename = self._name
        if offset + len(data) >= self.max_size:
            self.close()
        return filename, offset

    def _ensure_file(self) -> BinaryIO:
        if self._file is not None:
            return self._file
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}.warc.gz"
            try:
                # "xb" so two crawls never share a file, even with equal timestamps.
                self._file = (self.directory / (name + OPEN_SUFFIX)).open("xb", buffering=0)
            except FileExistsError:
                continue
            if (self.directory / name).exists():
                self._file.close()
                (self.directory / (name + OPEN_SUFFIX)).unlink()
                self._file = None
                continue
            break
        self._name = name
        _write_all(self._file, self._encode(self._warcinfo_record(name)))
        return self._file

    def _warcinfo_record(self, filename: str) -> Any:
        info = {
            "software": f"blogarchive/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": self.crawl_host,
            **self.warcinfo,
        }
        payload = "".join(f"{k}: {v}\r\n" for k, v in info.items() if v).encode()
        headers = {
            "WARC-Record-ID": self._record_id(),
            "WARC-Date": self._warc_date(None),
            "WARC-Filename": filename,
        }
        return _builder().create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_headers_dict=headers,
            warc_content_type="application/warc-fields",
        )

    def _encode(self, record: Any) -> bytes:
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
        self.records_written += 1
        return gzip_member(buffer.getvalue(), self.gzip_level)

    def _warc_date(self, when: datetime | None) -> str:
        moment = (when or self._clock()).astimezone(UTC).replace(tzinfo=None)
        return str(datetime_to_iso_date(moment, use_micros=True))


def _write_all(out: BinaryIO, data: bytes) -> None:
    """Unbuffered write loop, so a failure leaves nothing half-buffered in memory."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[written or 0 :]


def _rollback(out: BinaryIO, offset: int) -> None:
    """Cut a partly written capture off, so the file ends on a complete record."""
    try:
        out.seek(offset)
        out.truncate()
    except OSError as exc:
        logger.error("could not roll back a partial WARC write: %s", exc)


def _builder() -> WARCWriter:
    return WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")


def _response_record(exchange: HttpExchange, record_id: str, date: str) -> Any:
    headers = [(_RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.response_headers]
    status_line = f"{exchange.status} {exchange.reason}".strip()
    http_headers = StatusAndHeaders(status_line, headers, protocol=exchange.protocol)
    warc_headers = {"WARC-Record-ID": record_id, "WARC-Date": date}
    if exchange.ip_address:
        warc_headers["WARC-IP-Address"] = exchange.ip_address
    return _builder().create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        warc_headers_dict=warc_headers,
        http_headers=http_headers,
    )


def _request_record(
    exchange: HttpExchange, record_id: str, date: str, *, concurrent_to: str
) -> Any:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    http_headers = StatusAndHeaders(
        f"{exchange.method} {target} {exchange.protocol}", headers, is_http_request=True
    )
    warc_headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Concurrent-To": concurrent_to,
    }
    return _builder().create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        warc_headers_dict=warc_headers,
        http_headers=http_headers,
    )
