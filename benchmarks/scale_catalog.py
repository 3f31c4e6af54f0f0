"""The catalog's queries at ten times an archive's size: ``scale_catalog.py DATA_DIR [--times 10]``.

Writing a million posts as crawls do takes hours; what grows with the archive in ``show``
and the web UI is the catalog's queries (reading a record is one seek, whatever the size).
This copies ``DATA_DIR/history.sqlite3`` to a temp dir, multiplies its catalog rows
(each copy's URLs, files and record ids made distinct), and times the queries each page
and ``show`` make, cold (a fresh connection, the file just copied) and warm; then what
writing costs at that size: adding 100,000 version rows (the summary's triggers
included), working the summary out from the rows (a format-2 catalog's upgrade) and
emptying the catalog (``reindex``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.state import catalog_summary
from archive.state.catalog import Catalog, _pid, item_row, post_id
from archive.state.db import connect
from archive.state.history import SCHEMA
from archive.web.stats import post_stats, scanned_stats

ADDED = 100_000
BATCH = 5_000  # as a rebuild adds them (archive.state.catalog_scan)


def multiply(catalog: Catalog, times: int) -> None:
    db = catalog.db
    db.create_function("pid", 1, _pid, deterministic=True)
    db.execute("BEGIN")
    for n in range(1, times):
        tag = f"'?copy={n}'"
        db.execute(
            f"INSERT INTO catalog_items SELECT url || {tag}, version, pid(url || {tag}), site, kind,"
            f" title, authors, published, fetched_at, content_hash, record_id || {tag},"
            f" warc_file || {tag}, warc_offset, source, source_offset FROM catalog_items"
            f" WHERE url NOT LIKE '%?copy=%'"
        )
        db.execute(
            f"INSERT INTO catalog_captures SELECT filename || {tag}, offset, url || {tag}, kind,"
            f" date, record_id || {tag}, status, content_type, refers_to || {tag}, profile"
            f" FROM catalog_captures WHERE url NOT LIKE '%?copy=%'"
        )
    db.execute("COMMIT")


def add_rows(catalog: Catalog) -> None:
    """Time adding ``ADDED`` rows in batches: nine in ten new URLs, one in ten a new
    version of a URL already there."""
    found = catalog.db.execute("SELECT DISTINCT url FROM catalog_items LIMIT ?", (ADDED,))
    urls = [url for (url,) in found]
    rows = []
    for n in range(ADDED):
        url, version = (urls[n], 50) if n % 10 == 0 else (f"https://added.example/{n}", 1)
        item = {"url": url, "version": version, "site": f"added{n % 20}", "kind": "post",
                "published": f"2026-{n % 12 + 1:02}-01", "fetched_at": "2026-12-01T00:00:00Z"}  # fmt: skip
        rows.append(item_row(item, "added.jsonl", n))
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, ADDED, BATCH):
        catalog.db.execute("BEGIN IMMEDIATE")
        catalog.add_items(rows[start : start + BATCH])
        catalog.db.execute("COMMIT")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{'add_items() ' + str(ADDED) + ' rows':40} {ADDED / cpu:8.0f} rows/s CPU "
          f"({cpu:.1f} s CPU, {wall:.1f} s wall)")  # fmt: skip


def rolled_back(name: str, catalog: Catalog, action: object) -> None:
    """Time one write to the catalog, then undo it."""
    assert callable(action)
    cpu, wall = time.process_time(), time.perf_counter()
    catalog.db.execute("BEGIN IMMEDIATE")
    action(catalog.db)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    catalog.db.execute("ROLLBACK")
    print(f"{name:40} {wall * 1000:8.0f} ms ({cpu * 1000:.0f} ms CPU)")


def timed(name: str, action: object, repeat: int = 20) -> None:
    assert callable(action)
    started = time.perf_counter()
    action(0)
    first = time.perf_counter() - started
    times = []
    for i in range(1, repeat):
        started = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - started)
    print(
        f"{name:40} first {first * 1000:8.1f} ms   then median {statistics.median(times) * 1000:7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="blogarchive-catalog-"))
    try:
        shutil.copy(args.data_dir / "history.sqlite3", work / "history.sqlite3")
        catalog = Catalog(connect(work / "history.sqlite3", SCHEMA), work)
        if catalog.unsummed():  # written by a version before the summary
            catalog_summary.fill(catalog.db)
            catalog.mark_complete()
        started = time.perf_counter()
        multiply(catalog, args.times)
        urls, versions = catalog.count()
        took = time.perf_counter() - started
        size = (work / "history.sqlite3").stat().st_size / 1e6
        captures = catalog.db.execute("SELECT count(*) FROM catalog_captures").fetchone()[0]
        print(
            f"{urls} URLs, {versions} versions, {captures} captures: {size:.0f} MB ({took:.0f} s)"
        )
        catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        catalog.db.close()
        catalog = Catalog(connect(work / "history.sqlite3", SCHEMA), work)  # cold
        step = max(1, versions // 40)
        picked = [
            r[0]
            for r in catalog.db.execute(
                "SELECT url FROM catalog_items WHERE rowid % ? = 0 LIMIT 20", (step,)
            )
        ]
        capture = catalog.db.execute(
            "SELECT filename, offset FROM catalog_captures WHERE rowid % ? = 0 LIMIT 20",
            (max(1, captures // 40),),
        ).fetchall()
        timed("versions(url) (show, post page)", lambda i: catalog.versions(picked[i]))
        timed("versions(unknown url)", lambda i: catalog.versions(f"https://no.example/{i}"))
        timed("url_for(post id)", lambda i: catalog.url_for(post_id(picked[i])))
        timed("captures(url)", lambda i: catalog.captures(picked[i]))
        timed("capture_at(file, offset)", lambda i: catalog.capture_at(*capture[i]))
        timed("latest(url) (a link in a capture)", lambda i: catalog.latest(picked[i]))
        timed("sites()", lambda i: catalog.sites())
        timed("changes(50) (changes feed)", lambda i: catalog.changes(50), repeat=3)
        timed("post_stats() (stats page, summary)", lambda i: post_stats(catalog))
        timed("scanned_stats() (every version)", lambda i: scanned_stats(catalog), repeat=2)
        assert post_stats(catalog) == scanned_stats(catalog)
        add_rows(catalog)
        rolled_back("summary fill() (format 2 upgrade)", catalog, catalog_summary.fill)
        rolled_back("clear_items() (reindex)", catalog, lambda db: catalog.clear_items())
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
