"""One read API for what the archive holds of a URL: every version of its post, its captures.

``blogarchive show`` and the web UI read through here. The answers come from the catalog
in ``DATA/history.sqlite3`` (:mod:`archive.state.catalog`), which crawls keep as they
write; whole records are then read from the one JSONL line (or WARC metadata record) each
version points at. No file is scanned to answer.

An archive without a catalog (written by an older version, or only its ``warc/`` and
``items/`` copied) gets one built from its files the first time it is opened, once; a
read-only one gets it built in memory for the process instead.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from archive.datadir import OPEN_SUFFIX, DataDir, archive_file
from archive.records import PostRecord, WarcRef
from archive.state.catalog import Catalog, Entry
from archive.state.db import connect, read_only, unwritable
from archive.state.history import SCHEMA
from archive.warc.pointer import PointerError, record_at

if TYPE_CHECKING:
    import logging

__all__ = ["Catalog", "Entry", "open_catalog", "pick", "read_record", "versions"]


def _logger() -> logging.Logger:
    # Imported on the rare paths that log: logging adds to every `show`'s start-up.
    import logging

    return logging.getLogger(__name__)


def open_catalog(data_dir: Path, *, threads: bool = False) -> Catalog:
    """The data dir's catalog, ready to read (built first if the archive has none).

    ``threads``: the connection may be used from several threads (callers serialize).
    """
    layout = DataDir(data_dir)
    path = layout.history_path
    if path.exists() and unwritable(path):
        catalog = Catalog(read_only(path, threads=threads), layout.path)
        if catalog.complete() or catalog.unsummed():  # (whole but for the stats summary)
            return catalog
        catalog.db.close()
        return _in_memory(layout, threads)
    if not path.exists() and (not _has_files(layout) or not os.access(layout.path, os.W_OK)):
        return _in_memory(layout, threads)
    catalog = Catalog(connect(path, SCHEMA, threads=threads), layout.path)
    if not catalog.complete():
        if not catalog.unsummed():  # (else only its stats summary is worked out)
            _logger().warning("building the catalog of %s from its files (once)", layout.path)
        _build(catalog, layout)
    return catalog


def _build(catalog: Catalog, layout: DataDir) -> None:
    # Imported here: the WARC scanning it needs is not loaded by every `show` (start-up).
    from archive.state.catalog_scan import build

    build(catalog, layout)


def _has_files(layout: DataDir) -> bool:
    return bool(layout.jsonl_files() or layout.warc_files())


def _in_memory(layout: DataDir, threads: bool) -> Catalog:
    """A catalog of a read-only archive without one, built in memory for this process."""
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=not threads)
    db.executescript(SCHEMA)
    catalog = Catalog(db, layout.path)
    if _has_files(layout):
        _logger().warning(
            "%s has no catalog and cannot be written: reading its files (run "
            "`blogarchive reindex` where it is writable to make this instant)",
            layout.path,
        )
        _build(catalog, layout)
    else:
        catalog.mark_complete()
    return catalog


def versions(data_dir: Path, url: str) -> list[PostRecord]:
    """Every archived version of ``url`` (also tried with/without a final slash), oldest first."""
    catalog = open_catalog(data_dir)
    try:
        candidates = [url, url[:-1] if url.endswith("/") else url + "/"]
        for candidate in candidates:
            found = [r for r in map(read_record, catalog.versions(candidate)) if r is not None]
            if found:
                return sorted(found, key=lambda r: (r.version or 0, r.fetched_at or ""))
        return []
    finally:
        catalog.db.close()


def pick(records: list[PostRecord], version: int | None = None) -> PostRecord | None:
    """Version ``version`` of a post (its latest when None), or None if there is no such."""
    if not records:
        return None
    if version is None:
        return records[-1]
    return next((r for r in reversed(records) if r.version == version), None)


def read_record(entry: Entry) -> PostRecord | None:
    """The whole record of a version, read where the catalog says; from the WARC metadata
    record beside its response when that file is gone (None if neither is there)."""
    record = _read_source(entry.path, entry.offset) or _beside_response(entry)
    if record is not None and record.warc is None and entry.warc_file and entry.warc_offset:
        # An item read back from a WARC metadata record that named no response: the
        # catalog found it (the record it is concurrent to), as a rebuild does.
        ref = WarcRef(filename=entry.warc_file, offset=entry.warc_offset, record_id=entry.record_id)
        record = record.replace(warc=ref)
    return record


def _read_source(path: Path, offset: int) -> PostRecord | None:
    if not path.exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    try:
        if path.name.removesuffix(OPEN_SUFFIX).endswith(".jsonl"):
            with path.open("rb") as stream:
                stream.seek(offset)
                return PostRecord.from_dict(json.loads(stream.readline()))
        with record_at(path, offset) as found:
            return PostRecord.from_dict(json.loads(found.content_stream().read()))
    except (OSError, ValueError, TypeError, KeyError, PointerError):
        return None


def _beside_response(entry: Entry) -> PostRecord | None:
    """The item among the metadata records a crawl writes right after the response."""
    if not entry.warc_file or entry.warc_offset is None or entry.record_id is None:
        return None
    from warcio.archiveiterator import ArchiveIterator  # lazily: costly to import
    from warcio.exceptions import ArchiveLoadFailed

    path = archive_file(entry.warc_dir, entry.warc_file) if entry.warc_dir else None
    if path is None:
        return None
    try:
        with path.open("rb") as stream:
            stream.seek(entry.warc_offset)
            for number, record in enumerate(ArchiveIterator(stream)):
                if number and record.rec_type != "metadata":
                    return None
                concurrent = record.rec_headers.get_header("WARC-Concurrent-To")
                if number and concurrent == entry.record_id:
                    found = PostRecord.from_dict(json.loads(record.content_stream().read()))
                    if found.url == entry.url and (found.version or None) == entry.version:
                        return found
    except (
        OSError,
        ValueError,
        TypeError,
        KeyError,
        EOFError,
        zlib.error,
        ArchiveLoadFailed,
    ) as exc:
        _logger().info("cannot read %s beside its response: %s", entry.url, exc)
    return None
