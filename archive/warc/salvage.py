"""Find the whole, sound records of a damaged record-gzipped WARC, past the damage.

:func:`archive.warc.members.scan` stops at the first bad gzip member, which is right for
cutting a crashed file back; a file damaged in the middle (a flipped bit, a lost block)
still holds good records after the damage. Salvage reads member by member, checks
each one's gzip CRC and its record's block digest, and after a bad stretch looks for
the next gzip header that begins a WARC record.
"""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive.warc.deflate import DeflateError, gzip_inflater

GZIP_MEMBER_START = b"\x1f\x8b\x08"
WARC_START = b"WARC/"


@dataclass(frozen=True)
class Sound:
    """A member whose gzip and record both check out."""

    offset: int
    length: int
    kind: str
    record_id: str | None
    concurrent_to: str | None


@dataclass
class Salvage:
    """The sound members of a file, and the stretches of it that are damaged."""

    sound: list[Sound] = field(default_factory=list)
    damaged: list[tuple[int, int]] = field(default_factory=list)
    """(offset, length) of each bad stretch."""

    def kept(self) -> list[Sound]:
        """Sound records, less the requests and metadata of a capture whose response is
        lost (verify requires a capture's records to be in one file)."""
        ids = {s.record_id for s in self.sound if s.kind not in ("request", "metadata")}
        return [
            s for s in self.sound if s.kind not in ("request", "metadata") or s.concurrent_to in ids
        ]


def salvage(path: Path) -> Salvage:
    """Every sound member of ``path`` and every damaged stretch, in file order."""
    result = Salvage()
    with path.open("rb") as stream:
        if stream.seek(0, 2) == 0:
            return result
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for offset, length, sound in _walk(data):
                if sound is None:
                    result.damaged.append((offset, length))
                else:
                    result.sound.append(sound)
    return result


def _walk(data: mmap.mmap) -> Iterator[tuple[int, int, Sound | None]]:
    offset, size = 0, len(data)
    while offset < size:
        found = _member(data, offset)
        if found is not None:
            yield offset, found.length, found
            offset += found.length
            continue
        resume = _next_record(data, offset + 1)
        yield offset, resume - offset, None
        offset = resume


def _next_record(data: mmap.mmap, start: int) -> int:
    """Offset of the next gzip member that opens like a WARC record (or the end)."""
    position = data.find(GZIP_MEMBER_START, start)
    while position != -1:
        if _opens_a_record(data, position):
            return position
        position = data.find(GZIP_MEMBER_START, position + 1)
    return len(data)


def _opens_a_record(data: mmap.mmap, offset: int) -> bool:
    inflater = gzip_inflater()
    try:
        head: bytes = inflater.decompress(data[offset : offset + 4096], len(WARC_START))
    except DeflateError:
        return False
    return head == WARC_START


def _member(data: mmap.mmap, offset: int) -> Sound | None:
    """The member at ``offset`` if its gzip CRC and its record's digests check out."""
    inflater = gzip_inflater()
    out, position = io.BytesIO(), offset
    try:
        while not inflater.eof:
            chunk = data[position : position + (1 << 16)]
            if not chunk:
                return None
            out.write(inflater.decompress(chunk))
            position += len(chunk)
    except DeflateError:
        return None
    length = position - offset - len(inflater.unused_data)
    return _sound_record(out.getvalue(), offset, length)


def _sound_record(raw: bytes, offset: int, length: int) -> Sound | None:
    from warcio.archiveiterator import ArchiveIterator

    from archive.warc.reading import READ_ERRORS, drain

    if not raw.startswith(WARC_START):
        return None
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw), check_digests=True)))
        drain(record)
    except (*READ_ERRORS, StopIteration):
        return None
    if record.digest_checker.passed is False:
        return None
    headers = record.rec_headers
    return Sound(
        offset=offset,
        length=length,
        kind=headers.get_header("WARC-Type") or "",
        record_id=headers.get_header("WARC-Record-ID"),
        concurrent_to=headers.get_header("WARC-Concurrent-To"),
    )
