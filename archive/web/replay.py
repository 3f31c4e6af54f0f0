"""Read a captured response back from its WARC file, by offset."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_BODY = 20 * 1024 * 1024
"""Bodies past this are cut: no blog post page is this large."""


class ReplayError(ValueError):
    """The record is not where the index says, or cannot be read."""


@dataclass(frozen=True)
class Payload:
    """A captured response: its status, content type and body (Content-Encoding undone)."""

    url: str
    status: int | None
    content_type: str | None
    body: bytes

    @property
    def mime(self) -> str:
        return (self.content_type or "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in (self.content_type or "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


def read_payload(path: Path, offset: int, record_id: str) -> Payload:
    """The response record ``record_id`` at ``offset`` in the WARC file ``path``."""
    from warcio.exceptions import ArchiveLoadFailed  # lazily, like warcio below

    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            payload = _read(stream, record_id)
    except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
        raise ReplayError(f"cannot read {path.name} at {offset}: {exc}") from exc
    if payload is None:
        raise ReplayError(f"no WARC record {record_id} at {path.name}:{offset}")
    return payload


def _read(stream: BinaryIO, record_id: str) -> Payload | None:
    from warcio.archiveiterator import ArchiveIterator  # lazily: keeps start-up fast

    record = next(iter(ArchiveIterator(stream)), None)
    if record is None or record.rec_headers.get_header("WARC-Record-ID") != record_id:
        return None
    headers = record.http_headers
    status = headers.get_statuscode() if headers is not None else None
    return Payload(
        url=str(record.rec_headers.get_header("WARC-Target-URI") or ""),
        status=int(status) if status and str(status).isdigit() else None,
        content_type=headers.get_header("Content-Type") if headers is not None else None,
        body=record.content_stream().read(MAX_BODY),
    )
