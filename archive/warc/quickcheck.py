"""A fast check of a WARC gzipped per record, for ``verify``: one pass of zlib and hashlib.

warcio reads a record's headers a line at a time in Python, which makes ``verify`` spend
most of its time parsing (about 5 MB/s of WARC). Files written as we write them (one
gzip member per record, each member holding exactly one WARC record) can be checked by
inflating each member whole and hashing its block: the same checks, ten times faster.

This check only ever proves a file good. Anything it does not follow (a file gzipped as
a whole or not at all, an ARC file, an odd record, a digest in an encoding it does not
know, a huge record) or any problem it finds makes it answer None, and ``verify`` reads
the file with warcio as before, which names the problem in its usual words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archive.warc.deflate import DeflateError, gzip_inflater
from archive.warc.members import head_at
from archive.warc.reading import GZIP_MAGIC, URI_TYPES

CHUNK = 1 << 16  # small: each member's unused input is copied once more
MAX_RECORD = 64 << 20
"""Records inflating to more than this are left to warcio, which streams them."""
CAPTURE_TYPES = ("response", "revisit")


class _Defer(Exception):
    """Not provably good: let warcio read the file."""


Headers = dict[str, str]
"""A WARC record's headers, names lower-cased (the first of each name)."""
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv")
"""RFC 4648 base 32 digits to Python's, so that ``int(text, 32)`` decodes a digest."""


_NOT_PROVEN: tuple[type[Exception], ...] = (_Defer, *DeflateError, ValueError, OSError)


def quick_check(path: Path) -> int | None:
    """The number of records of a good per-record-gzipped WARC; None if not proven good."""
    try:
        with path.open("rb") as stream:
            if stream.read(2) != GZIP_MAGIC:
                return None
            stream.seek(0)
            return _check(stream)
    except _NOT_PROVEN:
        return None


def _check(stream: BinaryIO) -> int:
    targets: set[str] = set()
    links: list[str] = []
    count = 0
    for data in _members(stream):
        headers, block = _record(data)
        kind = headers.get("warc-type")
        if count == 0 and kind != "warcinfo":
            raise _Defer("no warcinfo first")
        if kind in URI_TYPES and not headers.get("warc-target-uri"):
            raise _Defer("no target URI")
        _check_digests(kind, headers, block)
        record_id = headers.get("warc-record-id")
        if kind in CAPTURE_TYPES and record_id:
            targets.add(record_id)
        concurrent = headers.get("warc-concurrent-to")
        if kind in ("request", "metadata") and concurrent:
            links.append(concurrent)
        count += 1
    if count == 0 or any(target not in targets for target in links):
        raise _Defer("empty, or a capture split across files")
    return count


def _members(stream: BinaryIO) -> Iterator[bytes]:
    """Each gzip member inflated; defers at a cut, a bad CRC or anything between members."""
    data = stream.read(CHUNK)
    while data:
        inflater = gzip_inflater()
        parts: list[bytes] = []
        size = 0
        while True:
            out = inflater.decompress(data)
            parts.append(out)
            size += len(out)
            if size > MAX_RECORD:
                raise _Defer("a huge record")
            if inflater.eof:
                data = inflater.unused_data or stream.read(CHUNK)
                break
            data = stream.read(CHUNK)
            if not data:
                raise _Defer("cut inside a member")
        yield b"".join(parts)


def _record(data: bytes) -> tuple[Headers, memoryview]:
    """One member's record: its headers and block; the member must hold nothing else."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise _Defer("not a WARC record")
    headers = _headers(data[:end])
    length = int(headers.get("content-length") or "x")
    start = end + 4
    if data[start + length :] != b"\r\n\r\n":
        raise _Defer("the member holds more or less than one record")
    return headers, memoryview(data)[start : start + length]


def _check_digests(kind: str | None, headers: Headers, block: memoryview) -> None:
    """Block and payload digests as warcio checks them: none for revisits, the payload
    only of HTTP requests and responses (after their headers)."""
    if kind == "revisit":
        return
    _expect(headers.get("warc-block-digest"), block)
    content_type = (headers.get("content-type") or "").lower()
    payload = headers.get("warc-payload-digest")
    if payload and kind in ("response", "request") and content_type.startswith("application/http"):
        split = bytes(block[:65536]).find(b"\r\n\r\n")
        if split < 0:
            raise _Defer("HTTP headers without an end")
        _expect(payload, block[split + 4 :])


def _expect(digest: str | None, data: memoryview) -> None:
    if not digest:
        return
    algorithm, sep, value = digest.partition(":")
    make = HASHES.get(algorithm.strip().lower().replace("-", ""))
    if not sep or make is None:
        raise _Defer("a digest without an algorithm we know")
    if not _same(make(data).digest(), value.strip()):
        raise _Defer("a digest mismatch (or an encoding we do not know)")


def _same(raw: bytes, value: str) -> bool:
    """Whether ``value`` is ``raw`` in base 32 or base 16 (``int`` decodes both in C)."""
    number = int.from_bytes(raw, "big")
    try:
        if len(value) == 2 * len(raw) and "=" not in value:
            return int(value, 16) == number
        digits = value.rstrip("=").upper()
        spare = 5 * len(digits) - 8 * len(raw)
        if not 0 <= spare < 5:
            return False
        decoded = int(digits.translate(_BASE32), 32)
    except ValueError:
        return False
    return decoded >> spare == number and not decoded & ((1 << spare) - 1)


def headers_at(stream: BinaryIO, offset: int) -> Headers | None:
    """The WARC headers of the record whose gzip member starts at ``offset``; None if that
    is not one, or its headers do not end within the head read (the caller then asks
    warcio, for its words)."""
    head = head_at(stream, offset)
    end = head.find(b"\r\n\r\n") if head else -1
    if head is None or end < 0:
        return None
    try:
        return _headers(head[:end])
    except _Defer:
        return None


def _headers(raw: bytes) -> Headers:
    if not raw.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n")):
        raise _Defer("not a WARC record")
    headers: Headers = {}
    for line in raw.decode("utf-8", errors="replace").split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise _Defer("a header line without a colon")
        headers.setdefault(name.strip().lower(), value.strip())
    return headers
