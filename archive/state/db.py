"""SQLite connections to the data dir's state files, shared between processes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from archive.state.locks import directory_lock


def connect(
    path: Path | str, schema: str, *, sync_normal: bool = True, threads: bool = False
) -> sqlite3.Connection:
    """A connection to one of the data dir's SQLite files, shared between processes.

    WAL lets readers and a writer work at once; the busy timeout makes concurrent
    writers (crawls, workers, the scheduler) wait instead of failing; autocommit mode.
    ``threads``: the connection may be used from several threads (the caller serializes).
    The setup (WAL switch, schema) runs under a lock on the directory: SQLite answers
    "database is locked" at once, busy timeout or not, to processes that switch a new
    file to WAL together. (Not a lock on the database file: closing any descriptor of it
    would drop SQLite's own POSIX locks held in this process.)
    """
    folder = Path(path).parent
    if unwritable(path):
        return read_only(path, threads=threads)
    folder.mkdir(parents=True, exist_ok=True)
    with directory_lock(folder):
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=not threads)
        db.execute("PRAGMA journal_mode=WAL")
        if sync_normal:
            db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    return db


def unwritable(path: Path | str) -> bool:
    """A state file that exists in a directory we cannot write (a read-only archive)."""
    return Path(path).exists() and not os.access(Path(path).parent, os.W_OK)


def read_only(path: Path | str, *, threads: bool = False) -> sqlite3.Connection:
    """A connection to a state file in a directory we cannot write (a read-only mount, a
    published copy of an archive). ``immutable``: SQLite then neither locks nor looks for
    the WAL index it could not create there; nothing may change the file meanwhile, which
    a read-only directory's file cannot."""
    uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(
        uri, uri=True, timeout=30, isolation_level=None, check_same_thread=not threads
    )
