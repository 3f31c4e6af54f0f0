"""Read a captured response back from its WARC file, by offset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.warc.pointer import PointerError, record_at

MAX_BODY = 20 * 1024 * 1024
"""Bodies past this are cut: no blog post page is this large."""


class ReplayError(PointerError):
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
    try:
        with record_at(path, offset, record_id) as record:
            return _payload(record)
    except PointerError as exc:
        raise ReplayError(str(exc)) from exc


def _payload(record: Any) -> Payload:
    headers = record.http_headers
    status = headers.get_statuscode() if headers is not None else None
    return Payload(
        url=str(record.rec_headers.get_header("WARC-Target-URI") or ""),
        status=int(status) if status and str(status).isdigit() else None,
        content_type=headers.get_header("Content-Type") if headers is not None else None,
        body=record.content_stream().read(MAX_BODY),
    )
