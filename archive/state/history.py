"""Capture and version history in SQLite: what each URL looked like when last archived.

It drives dedup (``revisit`` records instead of full copies), conditional requests
(the last ETag and Last-Modified), post versions, and revalidation (when the server last
answered for a URL). Rows are written only after
the record they describe is on disk, so a crash can cost a duplicate copy, never a
revisit that points at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.state.catalog import SCHEMA as CATALOG_SCHEMA
from archive.state.db import connect

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL,
    status INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    record_id TEXT,
    fetched_at TEXT,
    PRIMARY KEY (url, version)
);
CREATE TABLE IF NOT EXISTS checks (
    url TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL
);
"""
    + CATALOG_SCHEMA
)


@dataclass(frozen=True, kw_only=True)
class Capture:
    """The last original (non-revisit) response archived for a URL."""

    url: str
    record_id: str
    warc_date: str
    payload_digest: str
    filename: str
    offset: int
    status: int
    etag: str | None = None
    last_modified: str | None = None


class History:
    """``DATA/history.sqlite3``; safe to share between processes (WAL, busy timeout)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = connect(self.path, SCHEMA)

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        """Start a write transaction: what follows is committed together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        """Undo an open transaction; a no-op if SQLite already rolled it back (SQLITE_FULL)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def last_capture(self, url: str) -> Capture | None:
        row = self.db.execute(
            "SELECT url, record_id, warc_date, payload_digest, filename, offset, status, etag,"
            " last_modified FROM captures WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        keys = ("url", "record_id", "warc_date", "payload_digest", "filename", "offset")
        return Capture(
            **dict(zip(keys, row[:6], strict=True)),
            status=row[6],
            etag=row[7],
            last_modified=row[8],
        )

    def record_capture(self, capture: Capture) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                capture.url,
                capture.record_id,
                capture.warc_date,
                capture.payload_digest,
                capture.filename,
                capture.offset,
                capture.status,
                capture.etag,
                capture.last_modified,
            ),
        )

    def record_check(self, url: str, checked_at: str) -> None:
        """The server was asked for ``url`` and answered (200 or 304) at ``checked_at``."""
        self.db.execute("INSERT OR REPLACE INTO checks VALUES (?, ?)", (url, checked_at))

    def last_check(self, url: str) -> str | None:
        """When the server last answered for ``url`` (a WARC date), or None."""
        row = self.db.execute("SELECT checked_at FROM checks WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row[0])

    def last_version(self, url: str) -> tuple[int, str] | None:
        """``(version, content_hash)`` of the newest archived version of a post."""
        row = self.db.execute(
            "SELECT version, content_hash FROM versions WHERE url = ? ORDER BY version DESC LIMIT 1",
            (url,),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def record_version(
        self,
        url: str,
        version: int,
        content_hash: str,
        record_id: str | None,
        fetched_at: str | None,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?)",
            (url, version, content_hash, record_id, fetched_at),
        )
