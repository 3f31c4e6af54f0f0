"""Crash repair: cut ``.open`` WARCs back to their last whole capture, and JSONL to whole lines.

A crawl killed mid-write leaves a ``.open`` file whose last capture may be partial.
Repair truncates in place (``r+b`` and ``truncate``: reopening with ``wb`` would empty
the file first, which is how wpull's rollback zero-fills files), appends a ``metadata``
record stating the cut, and renames the file. Files whose ``flock`` is held belong to a
live crawl and are left alone.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.datadir import OPEN_SUFFIX, DataDir, jsonl_files, warc_files
from archive.jsonl import ends_a_line, iter_jsonl
from archive.records import PostRecord
from archive.search.index import IndexLockedError, SchemaVersionError, SearchIndex
from archive.state.catalog import Catalog
from archive.state.catalog_scan import jsonl_items
from archive.state.history import History
from archive.warc.cdxj import index_or_warn
from archive.warc.deflate import gzip_member
from archive.warc.members import Member, scan
from archive.warc.records import encode, metadata_record
from archive.warc.writer import warc_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repair:
    """What repair did to one file."""

    path: Path
    """The file as it is now (renamed without ``.open`` for WARCs)."""
    kept: int
    dropped: int

    def describe(self) -> str:
        return f"repaired {self.path.name}: kept {self.kept} bytes, cut {self.dropped}"


def repair_data_dir(data_dir: Path, *, index: bool = False) -> list[Repair]:
    """Repair every crashed WARC and JSONL file under the data dir; with ``index``, add the
    posts of the repaired JSONL files to the search index too."""
    layout = DataDir(data_dir)
    repairs = repair_warcs(layout.warc_dir)
    history = History(layout.history_path) if layout.history_path.exists() else None
    try:
        if history is not None:  # the captures a cut took away leave the catalog too
            catalog = Catalog(history.db, layout.path)
            for cut in repairs:
                catalog.cut_file(cut.path.name, cut.kept)
        repairs += repair_jsonl(layout.items_dir, history)
    finally:
        if history is not None:
            history.close()
    if index:
        index_repaired(layout, repairs)
    return repairs


def index_repaired(layout: DataDir, repairs: list[Repair]) -> int:
    """Index the posts of repaired JSONL files: a crawl killed outright never flushed its
    last index batch, so its posts were on disk but not searchable. Adding is idempotent
    (a post replaces its indexed copy of the same version). Returns how many were added;
    an index that cannot be written is logged, never fatal (``reindex`` catches up)."""
    posts = [post for r in repairs if r.path.name.endswith(".jsonl") for post in iter_jsonl(r.path)]
    if not posts:
        return 0
    added = add_to_index(layout, posts, "repaired posts")
    if added:
        logger.warning("indexed %d posts a crashed crawl had not", added)
    return added


def add_to_index(layout: DataDir, posts: list[PostRecord], what: str) -> int:
    """Add ``posts`` to the search index (a post replaces its indexed copy of the same
    version); a failure is logged, never fatal: ``reindex`` catches up. Returns how
    many were added."""
    try:
        return SearchIndex(layout.index_dir).add(posts)
    except (IndexLockedError, SchemaVersionError, OSError, ValueError) as exc:
        logger.error("could not index %d %s (%s); run `blogarchive reindex`", len(posts), what, exc)
        return 0


def repair_warcs(warc_dir: Path) -> list[Repair]:
    done = []
    for path in warc_files(warc_dir, finished=False):
        repaired = repair_warc(path)
        if repaired is not None:
            done.append(repaired)
    return done


def repair_warc(path: Path) -> Repair | None:
    """Cut one ``.open`` WARC back to its last whole capture; None if a crawl owns it."""
    with path.open("r+b") as handle:
        if not _try_lock(handle):
            return None
        result = scan(path)
        cut = _capture_boundary(result.members, result.good_end)
        dropped = result.size - cut
        if cut == 0:  # killed before even the warcinfo record was whole
            path.unlink()
            logger.warning("removed empty crashed WARC %s", path.name)
            return Repair(path=path, kept=0, dropped=result.size)
        handle.seek(cut)
        handle.truncate()
        if dropped:
            handle.write(_cut_note(path.name.removesuffix(OPEN_SUFFIX), cut, dropped))
        handle.flush()
        os.fsync(handle.fileno())
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        path.rename(final)
    logger.warning("repaired crashed WARC %s: cut %d bytes at %d", final.name, dropped, cut)
    index_or_warn(final)  # as its writer would have at close
    return Repair(path=final, kept=cut, dropped=dropped)


def repair_jsonl(items_dir: Path, history: History | None = None) -> list[Repair]:
    """Cut partial last lines; close crashed ``.jsonl.open`` files.

    A crash can fall between writing an item's line and recording its version in the
    history; the versions of a crashed file's items are recorded here, so the next
    crawl does not archive them a second time.
    """
    done = []
    for path in jsonl_files(items_dir):
        repaired = _repair_one_jsonl(path, history)
        if repaired is not None:
            done.append(repaired)
    return done


def _repair_one_jsonl(path: Path, history: History | None) -> Repair | None:
    crashed = path.name.endswith(OPEN_SUFFIX)
    with path.open("r+b") as handle:
        size = handle.seek(0, 2)
        whole = ends_a_line(handle, size)
        if (whole and not crashed) or not _try_lock(handle):
            return None
        keep = size if whole else _last_newline_end(handle, size)
        handle.truncate(keep)
        os.fsync(handle.fileno())
        if crashed:
            if history is not None:
                _record_versions(path, history)
            path = path.rename(path.with_name(path.name.removesuffix(OPEN_SUFFIX)))
    logger.warning("repaired %s: cut a partial last line of %d bytes", path.name, size - keep)
    return Repair(path=path, kept=keep, dropped=size - keep)


def _record_versions(path: Path, history: History) -> None:
    """The versions of a crashed file's items, and their catalog rows (a crash between a
    line and its commit left them out; the rows of committed lines are rewritten alike)."""
    catalog = Catalog(history.db, history.path.parent)
    for data, offset in jsonl_items(path):
        catalog.add_item(data, path, offset)
    for item in iter_jsonl(path):
        if item.version is None or not item.content_hash:
            continue
        last = history.last_version(item.url)
        if last is None or last[0] < item.version:
            record_id = item.warc.record_id if item.warc else None
            history.record_version(
                item.url, item.version, item.content_hash, record_id, item.fetched_at
            )


def _capture_boundary(members: list[Member], good_end: int) -> int:
    """End of the last complete capture: a trailing request without its response goes."""
    cut = good_end
    for member in reversed(members):
        kind = member.header("WARC-Type")
        if kind in ("response", "revisit", "warcinfo", "resource"):
            break
        if kind == "request":
            cut = member.offset
            break
    return cut


def _cut_note(filename: str, offset: int, dropped: int) -> bytes:
    """A metadata record that says what crash repair removed (WARC 1.1 asks to note it)."""
    text = (
        f"blogarchive-repair: truncated after a crash\r\n"
        f"filename: {filename}\r\ntruncated-at: {offset}\r\nbytes-dropped: {dropped}\r\n"
    ).encode()
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    date = warc_date(datetime.now(UTC))
    record = metadata_record("", text, record_id, date, "", "application/warc-fields")
    record.rec_headers.remove_header("WARC-Concurrent-To")
    return gzip_member(encode(record), 6)


def _try_lock(handle: io.BufferedRandom) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _last_newline_end(handle: io.BufferedRandom, size: int) -> int:
    """Offset just past the last newline (0 if there is none)."""
    position = size
    while position > 0:
        start = max(0, position - 65536)
        handle.seek(start)
        chunk = handle.read(position - start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return start + found + 1
        position = start
    return 0
