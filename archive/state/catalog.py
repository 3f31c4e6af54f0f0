"""The catalog: every post version and every capture of the archive, in ``history.sqlite3``.

Written as the archive is written (:class:`~archive.session.ArchiveSession` adds a post's
row in the transaction that commits its JSONL line and version, and a capture's row once
its record is on disk) and rebuilt from the files by ``blogarchive reindex``
(:mod:`archive.state.catalog_scan`). The WARC and JSONL files stay the truth; the catalog
says where in them each version and capture is, so ``show``, the web UI and other readers
answer "what does this URL have" with an indexed query instead of reading every file.

Tables (``catalog_`` prefix, beside ``captures``, ``versions`` and ``checks``):

- ``catalog_items``: one row per post version (URL, version; 0 when the line stated none):
  what lists it (site, kind, title, authors, dates, content hash), the WARC response it was
  parsed from, and ``source``/``source_offset``: where its whole record is (a JSONL line,
  or a WARC ``metadata`` record when the catalog was built from WARC files);
- ``catalog_captures``: every response and revisit record (assets too), by file and offset;
- ``catalog_files``: the WARC files whose captures are all in (name, size when done);
- ``catalog_sites``: the site names seen; ``catalog_state``: ``complete`` (the rows'
  :data:`FORMAT`) once the catalog covers every file (set by a build, or at the birth of
  an empty archive);
- ``catalog_latest`` and ``catalog_counts``: the summary of each URL's latest version the
  stats page reads, kept by triggers (:mod:`archive.state.catalog_summary`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.state import catalog_summary

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS catalog_items (
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    site TEXT,
    kind TEXT NOT NULL,
    title TEXT,
    authors TEXT NOT NULL,
    published TEXT,
    fetched_at TEXT,
    content_hash TEXT,
    record_id TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    source TEXT NOT NULL,
    source_offset INTEGER NOT NULL,
    PRIMARY KEY (url, version)
);
CREATE INDEX IF NOT EXISTS catalog_items_pid ON catalog_items (pid);
CREATE INDEX IF NOT EXISTS catalog_items_changes ON catalog_items (fetched_at) WHERE version > 1;
CREATE TABLE IF NOT EXISTS catalog_captures (
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    record_id TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    refers_to TEXT,
    profile TEXT,
    PRIMARY KEY (filename, offset)
);
CREATE INDEX IF NOT EXISTS catalog_captures_url ON catalog_captures (url, date);
CREATE INDEX IF NOT EXISTS catalog_captures_id ON catalog_captures (record_id);
CREATE TABLE IF NOT EXISTS catalog_files (name TEXT PRIMARY KEY, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS catalog_sites (site TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS catalog_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
    + catalog_summary.SCHEMA
)
FORMAT = "3"
"""The rows' format: a catalog of another one is rebuilt, as one that is not complete
(but one of :data:`UNSUMMED`'s only has its summary worked out)."""
UNSUMMED = "2"
"""The format before the summary: the same rows otherwise."""
_NOT_MODIFIED = "server-not-modified"
_SEP = "\x1f"  # between authors (a name never holds a control character)
_ITEM_COLUMNS = (
    "url, version, site, kind, title, authors, published, fetched_at, content_hash,"
    " record_id, warc_file, warc_offset, source, source_offset"
)
_CAPTURE_COLUMNS = (
    "url, kind, date, record_id, filename, offset, status, content_type, refers_to, profile"
)


def post_id(url: str) -> str:
    """The stable id of a post: the SHA-1 of its URL (UTF-8), 40 lowercase hex digits."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def _pid(url: str) -> int:
    """The indexed form of a URL's post id: its first 8 bytes as a signed 64-bit integer."""
    return int.from_bytes(hashlib.sha1(url.encode("utf-8")).digest()[:8], "big", signed=True)


def _pid_of(ident: str) -> int:
    return int.from_bytes(bytes.fromhex(ident[:16]), "big", signed=True)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One post version: enough to list it, and where its whole record is."""

    url: str
    site: str | None
    kind: str
    """``post`` or ``page`` (lines without the field are posts)."""
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    version: int | None
    fetched_at: str | None
    content_hash: str | None = None
    record_id: str | None
    """The WARC-Record-ID of the capture this version was parsed from."""
    warc_file: str | None
    warc_offset: int | None
    path: Path
    """The file holding the whole record: a JSONL file, or a WARC file (metadata record)."""
    offset: int
    warc_dir: Path | None = None
    """The archive's WARC directory, where ``warc_file`` is."""

    @property
    def order(self) -> tuple[int, str]:
        """Which version is the latest: the highest version, then the newest fetch."""
        return (self.version or 0, self.fetched_at or "")


@dataclass(frozen=True, kw_only=True)
class Capture:
    """One response or revisit record."""

    url: str
    kind: str
    """``response`` or ``revisit``."""
    date: str
    record_id: str
    filename: str
    """The WARC file's final name (without ``.open``)."""
    offset: int
    status: int | None
    """The HTTP status of the response (304 for a not-modified revisit)."""
    content_type: str | None
    refers_to: str | None
    """For a revisit: the record id of the original response, when stated."""
    profile: str | None

    @property
    def not_modified(self) -> bool:
        return self.profile is not None and _NOT_MODIFIED in self.profile

    def row(self) -> tuple[Any, ...]:
        return (self.url, self.kind, self.date, self.record_id, self.filename, self.offset,
                self.status, self.content_type, self.refers_to, self.profile)  # fmt: skip


def item_row(data: dict[str, Any], source: str, offset: int) -> tuple[Any, ...] | None:
    """The catalog row of one item (a JSONL line's dict), or None if it is no item."""
    url = data.get("url")
    if type(url) is not str:
        return None
    get = data.get
    warc = get("warc")
    if type(warc) is not dict:
        warc = {}
    version, place = get("version"), warc.get("offset")
    authors = get("authors") or ()
    return (
        url,
        version if type(version) is int else 0,
        _pid(url),
        _text(get("site")),
        _text(get("kind")) or "post",
        _text(get("title")),
        _SEP.join(a for a in authors if type(a) is str),
        _text(get("published")),
        _text(get("fetched_at")),
        _text(get("content_hash")),
        _text(warc.get("record_id")),
        _text(warc.get("filename")),
        place if type(place) is int else None,
        source,
        offset,
    )


def _text(value: Any) -> str | None:
    return value if type(value) is str else None


class Catalog:
    """The catalog tables on one connection (a crawl's history connection, or a reader's).

    Writes join the connection's open transaction, if any; reads see the last commit.
    """

    def __init__(self, db: sqlite3.Connection, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir

    # -- state ----------------------------------------------------------------------------

    def complete(self) -> bool:
        """Whether the catalog covers the whole archive (else: build it from the files)."""
        return self._format() == FORMAT

    def unsummed(self) -> bool:
        """Whether the catalog is whole but of the format before the summary."""
        return self._format() == UNSUMMED

    def _format(self) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM catalog_state WHERE key = 'complete'")
            found = row.fetchone()
        except sqlite3.Error:
            return None  # no catalog tables: a history written by an older version
        return None if found is None else str(found[0])

    def mark_complete(self, done: bool = True) -> None:
        """Mark the catalog whole (its summary, if a rebuild suspended it, then worked out
        from the rows), or not."""
        if done:
            catalog_summary.resume(self.db)
        value = FORMAT if done else "0"
        self.db.execute("INSERT OR REPLACE INTO catalog_state VALUES ('complete', ?)", (value,))

    def clear_items(self) -> None:
        """Forget every version (before a rebuild); the catalog is incomplete until then."""
        self.mark_complete(False)
        catalog_summary.empty_items(self.db)
        catalog_summary.suspend(self.db)  # the rows come back in bulk: summed once at the end
        self.db.execute("DELETE FROM catalog_sites")

    # -- writing --------------------------------------------------------------------------

    def source_name(self, path: Path) -> str:
        """How an item's file is stored: relative to the data dir, final name, when inside."""
        final = path.with_name(path.name.removesuffix(".open"))
        try:
            return final.relative_to(self.data_dir).as_posix()
        except ValueError:
            return str(final.resolve())

    def add_items(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add version rows (:func:`item_row`); the same URL and version again replaces."""
        rows = list(rows)
        self.db.executemany(
            f"INSERT OR REPLACE INTO catalog_items (url, version, pid, site, kind, title,"
            f" authors, published, fetched_at, content_hash, record_id, warc_file, warc_offset,"
            f" source, source_offset) VALUES ({', '.join('?' * 15)})",
            rows,
        )
        sites = {(row[3],) for row in rows if row[3]}
        self.db.executemany("INSERT OR IGNORE INTO catalog_sites VALUES (?)", sites)

    def add_item(self, data: dict[str, Any], path: Path, offset: int) -> None:
        row = item_row(data, self.source_name(path), offset)
        if row is not None:
            self.add_items([row])

    def add_captures(self, captures: Iterable[Capture]) -> None:
        self.db.executemany(
            f"INSERT OR REPLACE INTO catalog_captures ({_CAPTURE_COLUMNS})"
            f" VALUES ({', '.join('?' * 10)})",
            (c.row() for c in captures),
        )

    def file_done(self, name: str, size: int) -> None:
        """Every capture of WARC file ``name`` (``size`` bytes) is in the catalog."""
        self.db.execute("INSERT OR REPLACE INTO catalog_files VALUES (?, ?)", (name, size))

    def cut_file(self, name: str, size: int) -> None:
        """Forget the captures of WARC ``name`` at or past ``size`` (crash repair cut them)."""
        self.db.execute(
            "DELETE FROM catalog_captures WHERE filename = ? AND offset >= ?", (name, size)
        )

    def done_files(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, size FROM catalog_files"))

    # -- reading: versions ----------------------------------------------------------------

    def versions(self, url: str) -> list[Entry]:
        """The versions of ``url``, oldest first (the last is the latest)."""
        rows = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM catalog_items WHERE url = ? ORDER BY version, fetched_at",
            (url,),
        )
        return [self._entry(row) for row in rows]

    def latest(self, url: str) -> Entry | None:
        row = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM catalog_items WHERE url = ?"
            " ORDER BY version DESC, fetched_at DESC LIMIT 1",
            (url,),
        ).fetchone()
        return None if row is None else self._entry(row)

    def url_for(self, ident: str) -> str | None:
        """The URL whose post id is ``ident``, if archived."""
        if len(ident) != 40 or not all(c in "0123456789abcdef" for c in ident):
            return None
        rows = self.db.execute(
            "SELECT DISTINCT url FROM catalog_items WHERE pid = ?", (_pid_of(ident),)
        )
        return next((url for (url,) in rows if post_id(url) == ident), None)

    def sites(self) -> list[str]:
        return [site for (site,) in self.db.execute("SELECT site FROM catalog_sites ORDER BY site")]

    def changes(self, limit: int) -> list[tuple[Entry, Entry]]:
        """The newest new versions (2 and later), each with the version before it."""
        rows = self.db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM catalog_items WHERE version > 1"
            " ORDER BY fetched_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        pairs = []
        for row in rows:
            after = self._entry(row)
            before = self.db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM catalog_items WHERE url = ? AND version < ?"
                " ORDER BY version DESC LIMIT 1",
                (after.url, after.version),
            ).fetchone()
            if before is not None:
                pairs.append((self._entry(before), after))
        return pairs

    def latest_rows(self) -> Iterator[tuple[Any, ...]]:
        """(site, kind, published, fetched_at, versions) of each URL's latest version, in
        one pass over the table (with a single max() aggregate, SQLite takes the bare
        columns from the row that has the maximum), streamed."""
        yield from self.db.execute(
            "SELECT site, kind, published, fetched_at, max(version), count(*)"
            " FROM catalog_items GROUP BY url"
        )

    def item_pointers(self) -> Iterator[tuple[str, str | None, str | None, str | None]]:
        """(url, fetched_at, title, WARC file) of every version, in the order written."""
        yield from self.db.execute(
            "SELECT url, fetched_at, title, warc_file FROM catalog_items ORDER BY rowid"
        )

    def entries(self) -> Iterator[Entry]:
        """Every version, by URL then version, streamed (bounded memory at any size)."""
        rows = self.db.execute(f"SELECT {_ITEM_COLUMNS} FROM catalog_items ORDER BY url, version")
        for row in rows:
            yield self._entry(row)

    def all_captures(self) -> Iterator[Capture]:
        """Every capture, by file and offset, streamed."""
        rows = self.db.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM catalog_captures ORDER BY filename, offset"
        )
        for row in rows:
            yield Capture(**dict(zip(_CAPTURE_FIELDS, row, strict=True)))

    def count(self) -> tuple[int, int]:
        """(URLs, versions) in the catalog."""
        row = self.db.execute("SELECT count(DISTINCT url), count(*) FROM catalog_items").fetchone()
        return int(row[0]), int(row[1])

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        source = Path(row[12])
        return Entry(
            url=row[0],
            version=row[1] or None,
            site=row[2],
            kind=row[3],
            title=row[4],
            authors=tuple(row[5].split(_SEP)) if row[5] else (),
            published=row[6],
            fetched_at=row[7],
            content_hash=row[8],
            record_id=row[9],
            warc_file=row[10],
            warc_offset=row[11],
            path=source if source.is_absolute() else self.data_dir / source,
            offset=row[13],
            warc_dir=self.data_dir / "warc",
        )

    # -- reading: captures ----------------------------------------------------------------

    def captures(self, url: str) -> list[Capture]:
        """The captures of ``url``, oldest first."""
        rows = self.db.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM catalog_captures WHERE url = ?"
            " ORDER BY date, filename, offset",
            (url,),
        )
        return [Capture(**dict(zip(_CAPTURE_FIELDS, row, strict=True))) for row in rows]

    def capture_at(self, filename: str, offset: int) -> Capture | None:
        return self._one_capture("filename = ? AND offset = ?", (filename, offset))

    def capture_by_id(self, record_id: str) -> Capture | None:
        return self._one_capture("record_id = ?", (record_id,))

    def _one_capture(self, where: str, args: tuple[Any, ...]) -> Capture | None:
        row = self.db.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM catalog_captures WHERE {where} LIMIT 1", args
        ).fetchone()
        return None if row is None else Capture(**dict(zip(_CAPTURE_FIELDS, row, strict=True)))

    def original(self, capture: Capture) -> Capture | None:
        """The response record a capture shows: itself, or the one a revisit refers to."""
        if capture.kind == "response":
            return capture
        if capture.refers_to:
            found = self.capture_by_id(capture.refers_to)
            if found is not None:
                return found
        row = self.db.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM catalog_captures WHERE url = ? AND kind = 'response'"
            " AND date <= ? ORDER BY date DESC, filename DESC, offset DESC LIMIT 1",
            (capture.url, capture.date),
        ).fetchone()
        return None if row is None else Capture(**dict(zip(_CAPTURE_FIELDS, row, strict=True)))


_CAPTURE_FIELDS = tuple(name.strip() for name in _CAPTURE_COLUMNS.split(","))
