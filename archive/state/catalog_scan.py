"""Building the catalog from the files: the JSONL (or WARC metadata) items, the WARC captures.

``blogarchive reindex`` streams the items through :func:`item_records` (each line parsed
once, for the catalog and the search index) and then catalogs the captures of the WARC
files the catalog does not hold yet (:func:`scan_captures`); an archive without a
catalog (written by an older version, or only ``warc/`` and ``items/`` copied) gets one
from :func:`build` the first time it is opened.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.datadir import OPEN_SUFFIX, DataDir
from archive.jsonl import READ_BUFFER
from archive.records import PostRecord
from archive.state import catalog_summary
from archive.state.catalog import Capture, Catalog, item_row
from archive.warc import cdxj
from archive.warc.items import items_in
from archive.warc.members import Member, head_at, scan

logger = logging.getLogger(__name__)
CAPTURE_TYPES = ("response", "revisit")
_NOT_MODIFIED = "server-not-modified"
_BATCH = 5_000


def build(catalog: Catalog, layout: DataDir) -> None:
    """Fill an empty or partial catalog from the data dir's files, in one transaction
    (a second process opening the archive meanwhile waits, then finds it built). A whole
    catalog of the format before the summary only gets its summary, from its own rows."""
    db = catalog.db
    db.execute("BEGIN IMMEDIATE")
    try:
        if catalog.complete():
            db.execute("COMMIT")
            return
        if catalog.unsummed():
            catalog_summary.fill(db)
            catalog.mark_complete()
            db.execute("COMMIT")
            return
        catalog.clear_items()
        for _ in item_records(catalog, layout, from_warc=not layout.jsonl_files()):
            pass
        scan_captures(catalog, layout)
        catalog.mark_complete()
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def item_records(catalog: Catalog, layout: DataDir, *, from_warc: bool) -> Iterator[PostRecord]:
    """The data dir's posts (from the JSONL, or the WARC metadata records when
    ``from_warc``), oldest file first, adding each one's row to the catalog as it goes."""
    batch = _Batch(catalog)
    try:
        if from_warc:
            for path in layout.warc_files():
                source = catalog.source_name(path)
                for item, offset in items_in(path):
                    batch.add(item_row(item.to_dict(), source, offset))
                    yield item
        else:
            for path in layout.jsonl_files():
                source = catalog.source_name(path)
                for data, offset in jsonl_items(path):
                    record = _record(data, path)
                    if record is not None:
                        batch.add(item_row(data, source, offset))
                        yield record
    finally:
        batch.flush()


def scan_captures(catalog: Catalog, layout: DataDir, *, everything: bool = False) -> int:
    """Catalog the captures of every WARC file not (or no longer) covered; returns how
    many files were read. Finished files are remembered with their size; a file still
    ``.open`` is read again next time. ``everything``: forget what is known, read all."""
    if everything:
        _write(catalog, "DELETE FROM catalog_captures; DELETE FROM catalog_files;")
    done = catalog.done_files()
    read = 0
    for path in layout.warc_files():
        name = path.name.removesuffix(OPEN_SUFFIX)
        live = path.name.endswith(OPEN_SUFFIX)
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if not live and done.get(name) == size:
            continue
        captures = warc_captures(path)
        own = not catalog.db.in_transaction
        if own:
            catalog.db.execute("BEGIN IMMEDIATE")
        catalog.db.execute("DELETE FROM catalog_captures WHERE filename = ?", (name,))
        catalog.add_captures(captures)
        if not live:
            catalog.file_done(name, size)
        if own:
            catalog.db.execute("COMMIT")
        read += 1
    return read


def _write(catalog: Catalog, script: str) -> None:
    for statement in filter(None, (s.strip() for s in script.split(";"))):
        catalog.db.execute(statement)


class _Batch:
    """Item rows added in batches (each its own transaction unless one is open)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...] | None) -> None:
        if row is not None:
            self.rows.append(row)
            if len(self.rows) >= _BATCH:
                self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        db = self.catalog.db
        own = not db.in_transaction
        try:
            if own:
                db.execute("BEGIN IMMEDIATE")
            self.catalog.add_items(self.rows)
            if own:
                db.execute("COMMIT")
        except sqlite3.Error:
            if own and db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self.rows = []


def jsonl_items(path: Path) -> Iterator[tuple[dict[str, Any], int]]:
    """The items of one JSONL file, each with its line's offset; unreadable lines are
    logged and skipped (a partial last line, still being written, is no item)."""
    offset = 0
    try:
        with path.open("rb", buffering=READ_BUFFER) as lines:
            for number, line in enumerate(lines, 1):
                start, offset = offset, offset + len(line)
                if line.isspace():  # (not strip(): it would copy every line)
                    continue
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    logger.warning("%s:%d: skipping unreadable line (%s)", path, number, exc)
                    continue
                if isinstance(data, dict):
                    yield data, start
    except OSError as exc:
        logger.warning("%s: stopped reading (%s)", path, exc)


def _record(data: dict[str, Any], path: Path) -> PostRecord | None:
    try:
        return PostRecord.from_dict(data)
    except (ValueError, TypeError, KeyError) as exc:
        logger.warning("%s: skipping a line that is not an item (%s)", path, exc)
        return None


# -- captures, from each record's head ------------------------------------------------------


def warc_captures(path: Path) -> list[Capture]:
    """The response and revisit records of one WARC file (read head by head)."""
    name = path.name.removesuffix(OPEN_SUFFIX)
    indexed = _indexed_members(path)
    try:
        members = scan(path).members if indexed is None else indexed
    except OSError:
        return []
    found = (_capture(member, name) for member in members)
    return [capture for capture in found if capture is not None]


def _indexed_members(path: Path) -> list[Member] | None:
    """The heads of the records a current CDXJ index lists (it lists every capture),
    inflated alone: a fifth of the work of walking every member to its end. None
    without a current index, or if one does not lead to records."""
    if not cdxj.is_current(path):
        return None
    members = []
    try:
        offsets = cdxj.indexed_offsets(path)
        with path.open("rb") as stream:
            for offset in offsets:
                head = head_at(stream, offset)
                if head is None or not head.startswith(b"WARC/"):
                    return None
                members.append(Member(offset=offset, length=0, head=head))
    except (OSError, ValueError, KeyError, IndexError):
        return None
    return members


def _capture(member: Member, filename: str) -> Capture | None:
    kind = member.header("WARC-Type")
    url = member.header("WARC-Target-URI")
    record_id = member.header("WARC-Record-ID")
    if kind not in CAPTURE_TYPES or not url or not record_id or url.startswith("urn:"):
        return None
    status, content_type = _http_head(member.head)
    profile = member.header("WARC-Profile")
    if status is None and kind == "revisit" and profile and _NOT_MODIFIED in profile:
        # Our not-modified revisits have an empty block (archive/warc/records.py says
        # why); the profile is the record of the server's 304.
        status = 304
    return Capture(
        url=url,
        kind=kind,
        date=member.header("WARC-Date") or "",
        record_id=record_id,
        filename=filename,
        offset=member.offset,
        status=status,
        content_type=content_type,
        refers_to=member.header("WARC-Refers-To"),
        profile=profile,
    )


def _http_head(head: bytes) -> tuple[int | None, str | None]:
    """The HTTP status and Content-Type from the start of a record (after its WARC headers)."""
    parts = head.split(b"\r\n\r\n", 2)
    if len(parts) < 2:
        return None, None
    lines = parts[1].decode("iso-8859-1").split("\r\n")
    words = lines[0].split()
    status = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    content_type = next(
        (
            line.split(":", 1)[1].strip()
            for line in lines[1:]
            if line.lower().startswith("content-type:")
        ),
        None,
    )
    return status, content_type
