"""CDXJ indexes beside the WARCs: ``NAME.warc.gz.cdxj``, sorted, written as each WARC closes.

``export --wacz`` merges them (a k-way merge of sorted files, in bounded memory) instead
of indexing every WARC again; a WARC without a current index (an older archive, a file
repaired or appended to since) is indexed at export time. An index is current when it is
no older than its WARC: a WARC appended to (a rolling WARC reopened by a recrawl) is
newer than its index until the writer indexes the appended records at close.

Lines are cdxj-indexer's (as pywb and ReplayWeb.page read them), so an index written here
and one made at export are the same. The WARC writer makes the lines of the records it
writes as it writes them (:func:`line_for`, as warcprox keeps its CDX), so closing a file
does not read it again; a file it did not write whole (an older one reopened) is read.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import io
import json
import logging
import os
import re
import zlib
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import surt
from warcio.timeutils import iso_date_to_timestamp

from archive.datadir import OPEN_SUFFIX

logger = logging.getLogger(__name__)

SUFFIX = ".cdxj"
FAN_IN = 128
"""Sorted files merged at once (each an open file)."""
_INDEXED = ("response", "revisit", "resource", "metadata")
_MIME_END = re.compile(r"[;\s]")


def line_for(record: Any, filename: str, offset: int, length: int) -> str | None:
    """cdxj-indexer's line for a record written at ``offset`` (``length`` bytes, gzipped),
    None for the records it leaves out (requests, warcinfo, ``warc-fields`` metadata)."""
    headers = record.rec_headers
    kind = record.rec_type
    content_type = headers.get_header("Content-Type")
    if kind not in _INDEXED:
        return None
    if kind in ("resource", "metadata") and content_type == "application/warc-fields":
        return None
    url = headers.get_header("WARC-Target-URI")
    index = {"url": url}
    if kind == "revisit":
        index["mime"] = "warc/revisit"
    else:
        http = record.http_headers if kind == "response" else None
        mime = http.get_header("Content-Type") if http else content_type
        if mime and (mime := _MIME_END.split(mime, 1)[0].strip()):
            index["mime"] = mime
    if kind in ("response", "revisit") and record.http_headers:
        index["status"] = record.http_headers.get_statuscode()
    digest = headers.get_header("WARC-Payload-Digest") or _payload_digest(record)
    if digest:
        index["digest"] = digest
    index |= {"length": str(length), "offset": str(offset), "filename": filename}
    stamp = iso_date_to_timestamp(headers.get_header("WARC-Date"))
    return f"{_key(url)} {stamp} {json.dumps(index)}\n"


def _payload_digest(record: Any) -> str | None:
    """What cdxj-indexer computes for a record written without a payload digest: the
    SHA-1 of a metadata or resource block (a revisit gets none)."""
    if record.rec_type not in ("metadata", "resource"):
        return None
    stream = record.raw_stream
    stream.seek(0)
    digest = base64.b32encode(hashlib.sha1(stream.read()).digest()).decode("ascii")
    return f"sha1:{digest}"


def _key(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # noqa: BLE001 -- cdxj-indexer keys an unparsable URL by itself
        return url


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` (closed or ``.open``) lives."""
    return warc.with_name(warc.name.removesuffix(OPEN_SUFFIX) + SUFFIX)


def indexed_offsets(warc: Path) -> list[int]:
    """The offsets of the records the index beside ``warc`` lists, ascending (raises
    OSError, ValueError, KeyError or IndexError for a missing or unreadable index)."""
    with index_path(warc).open("rb") as index:
        return sorted({int(json.loads(line.split(b" ", 2)[2])["offset"]) for line in index})


def is_current(warc: Path) -> bool:
    """Whether the WARC has an index no older than itself."""
    try:
        return index_path(warc).stat().st_mtime_ns >= warc.stat().st_mtime_ns
    except OSError:
        return False


def index_lines(warc: Path, start: int = 0) -> list[str]:
    """The sorted CDXJ lines of the records from byte ``start`` on (a record boundary)."""
    from archive.warc.indexer import Indexer  # 0.16 s of imports a crawl need not pay

    out = io.StringIO()
    name = warc.name.removesuffix(OPEN_SUFFIX)
    with warc.open("rb") as stream:
        stream.seek(start)  # warcio counts offsets from the stream's position
        Indexer(output=None, inputs=[]).process_one(stream, out, name)
    return sorted(out.getvalue().splitlines(keepends=True))


def index_file(warc: Path, out: Path) -> None:
    """Index one whole WARC into ``out``, sorted (spilling to temporary files when large)."""
    from archive.warc.indexer import Indexer

    Indexer(output=str(out), inputs=[str(warc)], sort=True).process_all()


def write_index(warc: Path, start: int = 0) -> Path:
    """Write (``start`` 0) or extend (records from ``start`` appended to a WARC whose index
    was current) the index beside ``warc``; atomically, by rename."""
    return write_lines(warc, index_lines(warc, start), extend=bool(start))


def write_lines(warc: Path, lines: Iterable[str], *, extend: bool) -> Path:
    """Write the sorted ``lines`` as the index beside ``warc``, or merged into its current
    index (``extend``); atomically, by rename."""
    target = index_path(warc)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8") as out:
            if extend and target.exists():
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


def lines_or_warn(warc: Path, lines: Iterable[str], *, extend: bool) -> None:
    """:func:`write_lines`, where a failure (a full disk) only costs ``export`` indexing the
    file itself."""
    try:
        write_lines(warc, lines, extend=extend)
    except OSError as exc:
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
