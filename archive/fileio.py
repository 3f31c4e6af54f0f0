"""Appending to archive files so that a failed write (a full disk) leaves them whole, and
reopening a rolling file to append to it."""

from __future__ import annotations

import fcntl
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from archive.datadir import OPEN_SUFFIX

logger = logging.getLogger(__name__)

Whole = Callable[[BinaryIO, int], bool]
"""Whether an open file of the given size ends where a unit (a line, a record) ends."""


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


def reopen_newest(
    directory: Path, name: re.Pattern[str], max_size: int, *, whole: Whole | None = None
) -> tuple[Path, BinaryIO] | None:
    """A rolling file: the newest closed file of ``directory`` whose name matches ``name``,
    locked, renamed ``.open`` and open at its end, with its closed path; None when there is
    none under ``max_size``, another writer holds it, or ``whole`` says it does not end
    where a unit ends (a crash repair's job first)."""
    names = sorted(p.name for p in directory.iterdir() if name.fullmatch(p.name))
    if not names:
        return None
    path = directory / names[-1]
    try:
        handle = path.open("r+b", buffering=0)
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        size = os.fstat(handle.fileno()).st_size
        # Still the file we locked (not renamed or reopened by another writer meanwhile).
        moved = path.stat().st_ino != os.fstat(handle.fileno()).st_ino
        if size >= max_size or moved or (whole is not None and not whole(handle, size)):
            raise FileExistsError(path)
        path.rename(path.with_name(path.name + OPEN_SUFFIX))
    except OSError:
        handle.close()
        return None
    handle.seek(0, os.SEEK_END)
    return path, handle
