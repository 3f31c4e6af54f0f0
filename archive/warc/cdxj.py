"""CDXJ indexes beside the WARCs: ``NAME.warc.gz.cdxj``, sorted, written as each WARC closes.

``export --wacz`` merges them (a k-way merge of sorted files, in bounded memory) instead
of indexing every WARC again; a WARC without a current index (an older archive, a file
repaired or appended to since) is indexed at export time. An index is current when it is
no older than its WARC: a WARC appended to (a rolling WARC reopened by a recrawl) is
newer than its index until the writer indexes the appended records at close.

Lines are cdxj-indexer's (as pywb and ReplayWeb.page read them), so an index written here
and one made at export are the same.
"""

from __future__ import annotations

import heapq
import io
import logging
import os
import zlib
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from archive.datadir import OPEN_SUFFIX

logger = logging.getLogger(__name__)

SUFFIX = ".cdxj"
FAN_IN = 128
"""Sorted files merged at once (each an open file)."""


class _Indexer(CDXJIndexer):  # type: ignore[misc]
    """cdxj-indexer, closing the temporary files warcio makes to digest a record without a
    payload digest (our metadata records): the record's once the next record comes."""

    _buffered: Any = None

    def process_index_entry(self, it: Any, record: Any, filename: str, output: Any) -> None:
        self.release()
        super().process_index_entry(it, record, filename, output)
        if isinstance(record.raw_stream, SpooledTemporaryFile):
            self._buffered = record.raw_stream

    def process_one(self, input_: Any, output: Any, filename: str) -> None:
        try:
            super().process_one(input_, output, filename)
        finally:
            self.release()
            writer: Any = getattr(self, "writer", None)
            if writer is not None:  # the BufferWARCWriter it digests with, and its file
                writer.out.close()
                self.writer = None

    def release(self) -> None:
        if self._buffered is not None:
            self._buffered.close()
            self._buffered = None


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` (closed or ``.open``) lives."""
    return warc.with_name(warc.name.removesuffix(OPEN_SUFFIX) + SUFFIX)


def is_current(warc: Path) -> bool:
    """Whether the WARC has an index no older than itself."""
    try:
        return index_path(warc).stat().st_mtime_ns >= warc.stat().st_mtime_ns
    except OSError:
        return False


def index_lines(warc: Path, start: int = 0) -> list[str]:
    """The sorted CDXJ lines of the records from byte ``start`` on (a record boundary)."""
    out = io.StringIO()
    name = warc.name.removesuffix(OPEN_SUFFIX)
    with warc.open("rb") as stream:
        stream.seek(start)  # warcio counts offsets from the stream's position
        _Indexer(output=None, inputs=[]).process_one(stream, out, name)
    return sorted(out.getvalue().splitlines(keepends=True))


def index_file(warc: Path, out: Path) -> None:
    """Index one whole WARC into ``out``, sorted (spilling to temporary files when large)."""
    _Indexer(output=str(out), inputs=[str(warc)], sort=True).process_all()


def write_index(warc: Path, start: int = 0) -> Path:
    """Write (``start`` 0) or extend (records from ``start`` appended to a WARC whose index
    was current) the index beside ``warc``; atomically, by rename."""
    target = index_path(warc)
    lines = index_lines(warc, start)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8") as out:
            if start and target.exists():
                with target.open(encoding="utf-8") as old:
                    out.writelines(heapq.merge(old, lines))
            else:
                out.writelines(lines)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
    except OSError:  # a full disk: no half index left behind
        partial.unlink(missing_ok=True)
        raise
    return target


def index_or_warn(warc: Path, start: int = 0) -> None:
    """:func:`write_index`, where a failure only costs ``export`` indexing the file itself
    (an index older than its WARC is not used)."""
    from warcio.exceptions import ArchiveLoadFailed

    try:
        write_index(warc, start)
    except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error) as exc:
        logger.warning("could not index %s (export will): %s", warc.name, exc)


def merge(parts: list[Path], out: Path, scratch: Path) -> None:
    """Merge sorted files into ``out``, at most :data:`FAN_IN` open at once."""
    level = 0
    while len(parts) > FAN_IN:
        merged = []
        for start in range(0, len(parts), FAN_IN):
            target = scratch / f"merge-{level}-{start}.cdx"
            _merge(parts[start : start + FAN_IN], target)
            merged.append(target)
        parts, level = merged, level + 1
    _merge(parts, out)


def _merge(parts: Iterable[Path], out: Path) -> None:
    with ExitStack() as stack:
        files = [stack.enter_context(p.open(encoding="utf-8")) for p in parts]
        with out.open("w", encoding="utf-8") as target:
            target.writelines(heapq.merge(*files))
