"""Walk the gzip members of a record-compressed WARC without trusting its headers.

warcio writes (and we write) one gzip member per record, and zlib checks each
member's CRC32 and length, so the end of the last complete member is the point a
crashed file can safely be cut back to. ``warcio check`` does not look at this
(webrecorder/warcio#138): a file cut mid-record passes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from archive.warc.deflate import DeflateError, gzip_inflater

CHUNK = 1 << 16
HEAD_BYTES = 4096  # enough of a record to read its WARC headers


@dataclass(frozen=True)
class Member:
    """One complete gzip member: where it is and how its record begins."""

    offset: int
    length: int
    head: bytes
    """The first bytes of the decompressed record (its WARC headers)."""

    def header(self, name: str) -> str | None:
        """A WARC header of this member's record, from its head (the first, if repeated)."""
        return self._headers.get(name.lower())

    @cached_property
    def _headers(self) -> dict[str, str]:
        # Parsed once: cataloguing a file asks each record for half a dozen headers.
        text = self.head.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
        headers: dict[str, str] = {}
        for line in text.split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers.setdefault(name.lower(), value.strip())
        return headers


@dataclass(frozen=True)
class MemberScan:
    members: list[Member]
    size: int
    good_end: int
    """End of the last complete member: the safe point to cut a crashed file back to."""
    error: str | None
    """Why scanning stopped early, if it did."""

    @property
    def truncated(self) -> bool:
        return self.good_end < self.size


def scan(path: Path) -> MemberScan:
    """All complete members of a gzip-per-record file, and where it stops being whole."""
    with path.open("rb") as stream:
        size = stream.seek(0, 2)
        stream.seek(0)
        members, error = list(_members(stream, size)), None
    good_end = members[-1].offset + members[-1].length if members else 0
    if good_end < size:
        error = f"incomplete or corrupt gzip member at byte {good_end} of {size}"
    return MemberScan(members=members, size=size, good_end=good_end, error=error)


def _members(stream: BinaryIO, size: int) -> Iterator[Member]:
    offset = 0
    while offset < size:
        member = _read_member(stream, offset)
        if member is None:
            return
        yield member
        offset += member.length


def _read_member(stream: BinaryIO, offset: int) -> Member | None:
    """Decompress one member from ``offset``; None if it is incomplete or corrupt."""
    stream.seek(offset)
    inflater = gzip_inflater()
    head, consumed = b"", 0
    try:
        while not inflater.eof:
            chunk = stream.read(CHUNK)
            if not chunk:
                return None
            out = inflater.decompress(chunk)
            if len(head) < HEAD_BYTES:
                head += out[: HEAD_BYTES - len(head)]
            consumed += len(chunk)
    except DeflateError:
        return None
    length = consumed - len(inflater.unused_data)
    return Member(offset=offset, length=length, head=head)


def head_at(stream: BinaryIO, offset: int) -> bytes | None:
    """The first :data:`HEAD_BYTES` of the record whose gzip member starts at ``offset``
    (where an index says one does), inflating no more than that; None if none starts there."""
    stream.seek(offset)
    inflater = gzip_inflater()
    head = b""
    try:
        while len(head) < HEAD_BYTES and not inflater.eof:
            chunk = inflater.unconsumed_tail or stream.read(HEAD_CHUNK)
            if not chunk:
                break
            head += inflater.decompress(chunk, HEAD_BYTES - len(head))
    except DeflateError:
        return None
    return head or None


HEAD_CHUNK = 1 << 13
