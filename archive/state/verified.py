"""What ``verify`` found good: one row per closed file, in ``DATA/verified.sqlite3``.

A row holds the file's size, modification time and a digest of its last 64 KiB when it
was checked; a file that still matches all three is not read again (``verify --full``
reads everything). Closed WARC and JSONL files are only ever appended to (a rolling WARC
reopened by a recrawl), which changes all three; a change in the middle that keeps size,
time and tail is what ``--full`` is for. Only a cache: deleting the file costs one full check.
Its own file, not ``history.sqlite3``: a crawl never waits on it, nor it on a crawl.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.state.db import connect, read_only, unwritable

logger = logging.getLogger(__name__)
VERIFIED_FILE = "verified.sqlite3"
TAIL_BYTES = 64 * 1024
SCHEMA = """
CREATE TABLE IF NOT EXISTS verified (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    tail TEXT NOT NULL,
    count INTEGER NOT NULL,
    refs TEXT NOT NULL DEFAULT '[]',
    checked_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Fingerprint:
    """Size, modification time and a digest of the tail of one file."""

    size: int
    mtime_ns: int
    tail: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        with path.open("rb") as stream:
            info = os.fstat(stream.fileno())
            stream.seek(max(0, info.st_size - TAIL_BYTES))
            tail = hashlib.sha256(stream.read(TAIL_BYTES)).hexdigest()
        return cls(size=info.st_size, mtime_ns=info.st_mtime_ns, tail=tail)


@dataclass(frozen=True)
class Remembered:
    """A file found good: how many records (or items) it held, and the WARC files its
    items point into (a JSONL file is checked again when one of them is gone)."""

    count: int
    refs: tuple[str, ...] = ()


class VerifiedFiles:
    """The memory of good files; remembers nothing where the data dir cannot be written.

    Never in the way: a memory that cannot be read or written (a full disk, a damaged
    file) is logged and left aside, and ``verify`` reads every file.
    """

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / VERIFIED_FILE
        self.writable = os.access(data_dir, os.W_OK)
        self.db: sqlite3.Connection | None = None
        try:
            if unwritable(path):
                self.db = read_only(path)
            elif self.writable:
                self.db = connect(path, SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def recall(self, name: str, print_: Fingerprint) -> Remembered | None:
        """What was found when ``name`` last checked good, if it has not changed since."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT size, mtime_ns, tail, count, refs FROM verified WHERE name = ?", (name,)
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None or Fingerprint(*row[:3]) != print_:
            return None
        return Remembered(count=row[3], refs=tuple(json.loads(row[4])))

    def remember(self, entries: list[tuple[str, Fingerprint, Remembered]]) -> None:
        """Record files found good (in one transaction)."""
        if self.db is None or not self.writable or not entries:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (name, p.size, p.mtime_ns, p.tail, r.count, json.dumps(list(r.refs)), now)
            for name, p, r in entries
        ]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "INSERT OR REPLACE INTO verified VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.Error as exc:
            self._give_up(exc)

    def forget(self, names: list[str]) -> None:
        """Drop files found bad (or gone) from the memory."""
        if self.db is None or not self.writable or not names:
            return
        try:
            self.db.executemany("DELETE FROM verified WHERE name = ?", [(n,) for n in names])
        except sqlite3.Error as exc:
            self._give_up(exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _give_up(self, exc: Exception) -> None:
        logger.warning("verify remembers nothing this time (%s): %s", VERIFIED_FILE, exc)
        self.close()
