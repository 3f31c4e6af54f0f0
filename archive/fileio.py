"""Appending to archive files so that a failed write (a full disk) leaves them whole."""

from __future__ import annotations

import logging
from typing import BinaryIO

logger = logging.getLogger(__name__)


def write_all(out: BinaryIO, data: bytes) -> None:
    """Unbuffered write loop, so a failure leaves nothing half-buffered in memory."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[written or 0 :]


def append(out: BinaryIO, data: bytes) -> int:
    """Write ``data`` at the end; on failure cut the file back. Returns the offset."""
    offset = out.tell()
    try:
        write_all(out, data)
    except OSError:
        rollback(out, offset)
        raise
    return offset


def rollback(out: BinaryIO, offset: int) -> None:
    """Cut a partly written unit off (``truncate`` in place, never reopening with ``wb``)."""
    try:
        out.seek(offset)
        out.truncate()
    except OSError as exc:
        logger.error("could not roll back a partial write: %s", exc)
