"""The catalog's summary of every URL's latest version: the stats page's numbers at any size.

Two tables, kept by SQLite triggers on ``catalog_items`` in the statement that writes a
row (so in its transaction, whoever writes it: ``add_items``, a rebuild, a repair, an
older blogarchive that knows nothing of them):

- ``catalog_latest``: one row per URL: its latest version's site (``''`` when none),
  kind, published date and month, fetch time and version, and how many versions it has:
  what ``GROUP BY url`` with ``max(version)`` over ``catalog_items`` gives;
- ``catalog_counts``: per (site, kind, month): how many URLs' latest versions are there
  (``urls``; 0 once all have moved on) and their versions.

A row inserted (or replaced), changed or deleted makes its URL's summary be worked out
again from that URL's rows: its old latest's share of the counts taken out, the new one's
put in. A site's first and last dates and last fetch are indexed min/max reads of
``catalog_latest`` instead (counters could not be taken back). A rebuild empties
``catalog_items`` and the summary together: :func:`empty_items`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


def _month(column: str) -> str:
    """SQL for the ``YYYY-MM`` of an ISO date column, ``''`` when it has none (as
    :func:`archive.web.stats._month`)."""
    return (
        f"CASE WHEN length({column}) >= 7 AND substr({column}, 5, 1) = '-'"
        f" THEN substr({column}, 1, 7) ELSE '' END"
    )


def _recount(url: str) -> str:
    """The trigger statements that work out again the summary of the URL ``url`` (an SQL
    expression: ``NEW.url``, ``OLD.url``) from its rows in ``catalog_items``. (No UPDATE
    FROM: SQLite 3.24's upsert is all they need.)"""
    return f"""
    UPDATE catalog_counts SET urls = urls - 1,
        versions = versions - (SELECT versions FROM catalog_latest WHERE url = {url})
        WHERE (site, kind, month) = (SELECT site, kind, month FROM catalog_latest WHERE url = {url});
    DELETE FROM catalog_latest WHERE url = {url};
    INSERT INTO catalog_latest
        SELECT url, ifnull(site, ''), kind, published, {_month("published")}, fetched_at,
            version, (SELECT count(*) FROM catalog_items WHERE url = {url})
        FROM catalog_items WHERE url = {url} ORDER BY version DESC LIMIT 1;
    INSERT INTO catalog_counts
        SELECT site, kind, month, 1, versions FROM catalog_latest WHERE url = {url}
        ON CONFLICT (site, kind, month)
        DO UPDATE SET urls = urls + 1, versions = versions + excluded.versions;"""


_DELETE_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS catalog_summary_delete
AFTER DELETE ON catalog_items BEGIN {_recount("OLD.url")}
END"""
_ROW_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS catalog_summary_insert
AFTER INSERT ON catalog_items BEGIN {_recount("NEW.url")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS catalog_summary_update
AFTER UPDATE OF url, version, site, kind, published, fetched_at ON catalog_items
BEGIN {_recount("OLD.url")} {_recount("NEW.url")}
END""",
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS catalog_latest (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    published TEXT,
    month TEXT NOT NULL,
    fetched_at TEXT,
    version INTEGER NOT NULL,
    versions INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_latest_published ON catalog_latest (site, kind, published);
CREATE INDEX IF NOT EXISTS catalog_latest_fetched ON catalog_latest (site, fetched_at);
CREATE TABLE IF NOT EXISTS catalog_counts (
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    month TEXT NOT NULL,
    urls INTEGER NOT NULL,
    versions INTEGER NOT NULL,
    PRIMARY KEY (site, kind, month)
) WITHOUT ROWID;
{";".join(_ROW_TRIGGERS)};
{_DELETE_TRIGGER};
"""
# (INSERT OR REPLACE does not fire the delete trigger, SQLite's recursive_triggers being
# off; it would not matter if it did: each recount reads the URL's rows as they are.)


def empty_items(db: sqlite3.Connection) -> None:
    """Delete every version row and the summary, all or nothing. The delete trigger is
    left out meanwhile: SQLite empties a table that has one row by row (34 s at a million
    rows instead of 2 s), and an empty table has an empty summary."""
    with _all_or_nothing(db):
        _clear(db)
        db.execute("DROP TRIGGER IF EXISTS catalog_summary_delete")
        db.execute("DELETE FROM catalog_items")
        db.execute(_DELETE_TRIGGER)


def suspend(db: sqlite3.Connection) -> None:
    """Stop keeping the summary row by row, for a rebuild that adds every row again: the
    triggers cost 3.5x the CPU of a plain insert, and one pass at the end (:func:`resume`)
    costs a fifth of what they would. Marked stale, so that the pass is made even if
    another connection's schema set-up has put the triggers back meanwhile."""
    db.execute("DROP TRIGGER IF EXISTS catalog_summary_insert")
    db.execute("DROP TRIGGER IF EXISTS catalog_summary_update")
    db.execute("INSERT OR REPLACE INTO catalog_state VALUES ('summary', 'stale')")


def resume(db: sqlite3.Connection) -> None:
    """After :func:`suspend`: the triggers back and the summary worked out from the rows."""
    row = db.execute("SELECT value FROM catalog_state WHERE key = 'summary'").fetchone()
    if row is None:
        return
    with _all_or_nothing(db):  # no other connection's write comes between
        for trigger in _ROW_TRIGGERS:
            db.execute(trigger)
        fill(db)
        db.execute("DELETE FROM catalog_state WHERE key = 'summary'")


@contextmanager
def _all_or_nothing(db: sqlite3.Connection) -> Iterator[None]:
    """A savepoint: its own transaction, or a part of the one open, undone on error."""
    db.execute("SAVEPOINT catalog_summary")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK TO catalog_summary")
        raise
    finally:
        db.execute("RELEASE catalog_summary")


def _clear(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM catalog_counts")
    db.execute("DELETE FROM catalog_latest")


def fill(db: sqlite3.Connection) -> None:
    """Work the summary out again from ``catalog_items`` in one pass: for a catalog
    written before it existed (25 s at a million posts)."""
    _clear(db)
    db.execute(
        f"INSERT INTO catalog_latest"
        f" SELECT url, ifnull(site, ''), kind, published, {_month('published')}, fetched_at,"
        f" version, versions FROM (SELECT url, site, kind, published, fetched_at,"
        f" max(version) AS version, count(*) AS versions FROM catalog_items GROUP BY url)"
    )
    db.execute(
        "INSERT INTO catalog_counts SELECT site, kind, month, count(*), sum(versions)"
        " FROM catalog_latest GROUP BY site, kind, month"
    )


@contextmanager
def snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Reads that see one state of the catalog (a read transaction, unless one is open)."""
    own = not db.in_transaction
    if own:
        db.execute("BEGIN")
    try:
        yield
    finally:
        if own:
            db.execute("COMMIT")


def counts(db: sqlite3.Connection) -> list[tuple[str, str, str, int, int]]:
    """(site, kind, month, URLs, versions) of every count with a URL in it."""
    rows = db.execute("SELECT site, kind, month, urls, versions FROM catalog_counts WHERE urls > 0")
    return rows.fetchall()


def site_dates(db: sqlite3.Connection, site: str) -> tuple[str | None, str | None, str | None]:
    """(first published, last published, last fetched) of a site's latest versions: the
    dates of its posts, the fetch of any kind. Indexed: each is one seek."""
    return (
        _one(
            db,
            "SELECT published FROM catalog_latest WHERE site = ? AND kind = 'post'"
            " AND published > '' ORDER BY published LIMIT 1",
            site,
        ),
        _one(
            db,
            "SELECT published FROM catalog_latest WHERE site = ? AND kind = 'post'"
            " AND published > '' ORDER BY published DESC LIMIT 1",
            site,
        ),
        _one(
            db,
            "SELECT fetched_at FROM catalog_latest WHERE site = ? AND fetched_at > ''"
            " ORDER BY fetched_at DESC LIMIT 1",
            site,
        ),
    )


def _one(db: sqlite3.Connection, query: str, *args: str) -> str | None:
    row = db.execute(query, args).fetchone()
    return None if row is None else row[0]
