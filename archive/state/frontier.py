"""Crawl frontier in SQLite: what a crawl still has to fetch, kept as it goes.

A URL is added as ``pending`` when the spider schedules it and marked ``done`` when
its response arrives. A crawl killed outright leaves its pending URLs behind, and
the next crawl of the site starts with them; a crawl that finishes clears its rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.state.db import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, url)
);
"""


class Frontier:
    """One site's frontier in ``DATA/history.sqlite3``, on a connection it does not own
    (a crawl's :class:`~archive.session.ArchiveSession` shares its own)."""

    def __init__(self, db: sqlite3.Connection, site: str) -> None:
        self.site = site
        self.db = db
        self._owned = False
        db.executescript(SCHEMA)

    @classmethod
    def open(cls, path: Path | str, site: str) -> Frontier:
        """A frontier on a connection of its own, closed by :meth:`close`."""
        frontier = cls(connect(path, SCHEMA), site)
        frontier._owned = True
        return frontier

    def close(self) -> None:
        if self._owned:
            self.db.close()

    def pending(self) -> list[tuple[str, str]]:
        """``(url, kind)`` left unfetched by an earlier crawl of the site."""
        rows = self.db.execute(
            "SELECT url, kind FROM frontier WHERE site = ? AND done = 0 ORDER BY rowid",
            (self.site,),
        )
        return [(str(url), str(kind)) for url, kind in rows]

    def add(self, url: str, kind: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO frontier (site, url, kind) VALUES (?, ?, ?)",
            (self.site, url, kind),
        )

    def done(self, url: str) -> None:
        self.db.execute("UPDATE frontier SET done = 1 WHERE site = ? AND url = ?", (self.site, url))

    def clear(self) -> None:
        self.db.execute("DELETE FROM frontier WHERE site = ?", (self.site,))
