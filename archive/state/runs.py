"""Run history: every crawl, scheduled or manual, in ``DATA/history.sqlite3``.

A run is inserted as ``running`` when it starts and updated when it ends. A process
killed outright never updates its row: the next command finds the row still
``running`` with a dead pid on this host and marks it ``interrupted``.
"""

from __future__ import annotations

import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.state.db import connect, unwritable

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    trigger TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    new_posts INTEGER NOT NULL DEFAULT 0,
    changed_posts INTEGER NOT NULL DEFAULT 0,
    unchanged_posts INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    bytes_written INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    pid INTEGER,
    host TEXT,
    worker TEXT,
    revalidated INTEGER NOT NULL DEFAULT 0,
    revalidated_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, id);
"""
STATUSES = ("running", "ok", "failed", "interrupted")
COUNTS = (
    "pages",
    "new_posts",
    "changed_posts",
    "unchanged_posts",
    "errors",
    "bytes_written",
    "revalidated",
    "revalidated_changed",
)
# Columns added since the first release, for histories written before them.
_ADDED = {
    "worker": "TEXT",
    "revalidated": "INTEGER NOT NULL DEFAULT 0",
    "revalidated_changed": "INTEGER NOT NULL DEFAULT 0",
}


@dataclass(frozen=True, kw_only=True)
class Run:
    id: int
    site: str
    trigger: str
    started: str
    ended: str | None
    status: str
    pages: int
    new_posts: int
    changed_posts: int
    unchanged_posts: int
    errors: int
    bytes_written: int
    reason: str | None
    pid: int | None
    host: str | None
    worker: str | None = None
    """The queue worker that ran it (``blogarchive worker``), or None."""
    revalidated: int = 0
    """Known posts asked for again although their sitemap or feed date had not moved."""
    revalidated_changed: int = 0
    """Of those, the posts that had been edited (a new version)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunLog:
    """The ``runs`` table; safe to share between processes (WAL, busy timeout)."""

    def __init__(self, path: Path | str) -> None:
        # Runs are few: the history keeps SQLite's default (full) sync for them.
        self.db = connect(path, SCHEMA, sync_normal=False)
        # A read-only archive's history is read as it is: nothing marked, nothing added.
        self.read_only = unwritable(path)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        for name, kind in _ADDED.items():
            if name not in columns and not self.read_only:
                self.db.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    def start(self, site: str, trigger: str, *, worker: str | None = None) -> int:
        """Insert a ``running`` run of this process; ``worker`` names the queue worker."""
        cursor = self.db.execute(
            "INSERT INTO runs (site, trigger, started, status, pid, host, worker)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?)",
            (site, trigger, now(), os.getpid(), socket.gethostname(), worker or None),
        )
        return int(cursor.lastrowid or 0)

    def finish(self, run_id: int, status: str, counts: dict[str, int], reason: str | None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        values = [int(counts.get(name, 0)) for name in COUNTS]
        self.db.execute(
            "UPDATE runs SET ended = ?, status = ?, reason = ?, "
            + ", ".join(f"{name} = ?" for name in COUNTS)
            + " WHERE id = ?",
            (now(), status, reason, *values, run_id),
        )

    def mark_interrupted(self) -> int:
        """Runs left ``running`` by a process of this host that no longer exists."""
        if self.read_only:
            return 0
        rows = self.db.execute(
            "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?",
            (socket.gethostname(),),
        ).fetchall()
        dead = [run_id for run_id, pid in rows if not _alive(pid)]
        for run_id in dead:
            self.db.execute(
                "UPDATE runs SET status = 'interrupted', reason = 'process died' WHERE id = ?",
                (run_id,),
            )
        return len(dead)

    def _select(self, where: str, args: list[Any], limit: int) -> list[Run]:
        cursor = self.db.execute(
            f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?", (*args, limit)
        )
        names = [d[0] for d in cursor.description]
        return [Run(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def running(self, site: str) -> Run | None:
        """The newest run of ``site`` still marked ``running``, if any."""
        runs = self._select("WHERE site = ? AND status = 'running'", [site], 1)
        return runs[0] if runs else None

    def list(self, *, site: str | None = None, limit: int = 50) -> list[Run]:
        where, args = ("WHERE site = ?", [site]) if site else ("", [])
        return self._select(where, args, limit)


def live_run(path: Path | str, site: str) -> Run | None:
    """The live run of ``site`` in the history at ``path``, if any: runs left by dead
    processes are marked interrupted first. None when there is no history yet."""
    if not Path(path).exists():
        return None
    log = RunLog(path)
    try:
        log.mark_interrupted()
        return log.running(site)
    finally:
        log.close()


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
