"""The catalog's summary of each URL's latest version (``catalog_latest``, ``catalog_counts``):
whatever writes ``catalog_items``, it is what a pass over every version gives, and the
stats page read from it shows what the full aggregation showed.

The expected summary is worked out here from ``catalog_items``' rows in Python, apart
from the triggers' SQL; the stats are also compared with :func:`scanned_stats` (the pass
over every version the stats page made before).
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from archive.catalog import open_catalog
from archive.records import PostRecord
from archive.repair import repair_data_dir
from archive.session import ArchiveSession
from archive.state.catalog import Catalog, item_row
from archive.state.db import read_only
from archive.state.history import SCHEMA
from archive.warc.records import HttpExchange
from archive.web import create_app
from archive.web.stats import UNKNOWN_SITE, post_stats, scanned_stats
from tests.conftest import run_cli


def expected_summary(db: sqlite3.Connection) -> tuple[set[tuple[Any, ...]], Counter[Any]]:
    """(latest rows, counts) from every version row, worked out in Python."""
    rows = db.execute("SELECT url, version, site, kind, published, fetched_at FROM catalog_items")
    by_url: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_url.setdefault(row[0], []).append(row)
    latest = set()
    counts: Counter[Any] = Counter()
    for url, versions in by_url.items():
        _, version, site, kind, published, fetched = max(versions, key=lambda r: r[1])
        month = published[:7] if published and len(published) >= 7 and published[4] == "-" else ""
        latest.add((url, site or "", kind, published, month, fetched, version, len(versions)))
        counts[(site or "", kind, month, "urls")] += 1
        counts[(site or "", kind, month, "versions")] += len(versions)
    return latest, counts


def assert_summary_agrees(catalog: Catalog) -> None:
    db = catalog.db
    latest, counts = expected_summary(db)
    assert set(db.execute("SELECT * FROM catalog_latest")) == latest
    found: Counter[Any] = Counter()
    for site, kind, month, urls, versions in db.execute("SELECT * FROM catalog_counts"):
        assert urls >= 0
        assert versions >= 0
        if urls:
            found[(site, kind, month, "urls")] += urls
            found[(site, kind, month, "versions")] += versions
        else:
            assert versions == 0  # a count every URL left holds no version either
    assert found == counts
    assert post_stats(catalog) == scanned_stats(catalog)


def memory_catalog() -> Catalog:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    return Catalog(db, Path("/nowhere"))


def random_item(rng: random.Random) -> dict[str, Any]:
    """An item of one of a few URLs, sites, kinds and dates (odd ones too)."""
    return {
        "url": f"https://blog.example/{rng.randrange(12)}",
        "version": rng.choice([1, 1, 2, 2, 3, 4, None]),
        "site": rng.choice(["a", "b", "", None, UNKNOWN_SITE]),
        "kind": rng.choice(["post", "post", "page", None]),
        "published": rng.choice(
            ["2024-01-05", "2024-01-31T10:00:00Z", "2023-12-01", "2024", "", None, "20240105"]
        ),
        "fetched_at": rng.choice(["2025-01-01T00:00:00Z", "2025-02-03T00:00:00Z", "", None]),
    }


def test_the_summary_follows_every_kind_of_write() -> None:
    """New URLs, new versions, the same version again (replaced), an older version added
    late, a site or kind that changes; rows changed and deleted; a rebuild: after each
    batch, the summary is what the rows say."""
    rng = random.Random(18)
    catalog = memory_catalog()
    for step in range(120):
        batch = [item_row(random_item(rng), "items.jsonl", step) for _ in range(rng.randint(1, 6))]
        catalog.add_items(row for row in batch if row is not None)
        if step % 10 == 7:
            catalog.db.execute(
                "UPDATE catalog_items SET published = ?, site = ? WHERE url = ?",
                ("2022-06-01", "c", f"https://blog.example/{rng.randrange(12)}"),
            )
        if step % 10 == 9:
            catalog.db.execute(
                "DELETE FROM catalog_items WHERE url = ? AND version = ?",
                (f"https://blog.example/{rng.randrange(12)}", rng.choice([0, 1, 2])),
            )
        assert_summary_agrees(catalog)
    stats = post_stats(catalog)
    assert stats.pages
    assert stats.versions > stats.posts > 0
    assert UNKNOWN_SITE in {site.name for site in stats.sites}
    catalog.clear_items()
    assert catalog.db.execute("SELECT count(*) FROM catalog_latest").fetchone()[0] == 0
    assert post_stats(catalog).sites == []
    triggers = "SELECT count(*) FROM sqlite_master WHERE name LIKE 'catalog_summary_%'"
    # A rebuild's rows come back in bulk, without the row triggers; marking the catalog
    # whole sums them once, even if a connection's schema set-up put the triggers back
    # in the middle (the rows before that are in no count).
    assert catalog.db.execute(triggers).fetchone()[0] == 1
    again = [item_row(random_item(rng), "items.jsonl", n) for n in range(20)]
    catalog.add_items(row for row in again[:10] if row is not None)
    catalog.db.executescript(SCHEMA)
    assert catalog.db.execute(triggers).fetchone()[0] == 3
    catalog.add_items(row for row in again[10:] if row is not None)
    catalog.mark_complete()
    assert catalog.db.execute(triggers).fetchone()[0] == 3
    assert_summary_agrees(catalog)
    catalog.db.execute("DELETE FROM catalog_items WHERE rowid % 3 = 0")
    assert_summary_agrees(catalog)


def test_the_summary_keeps_up_with_crawls_a_repair_and_a_reindex(archive_copy: Path) -> None:
    catalog = open_catalog(archive_copy)
    assert_summary_agrees(catalog)  # the crawl, and the recrawl's version 2
    before = post_stats(catalog)
    assert before.versions == before.posts + 1
    # A crash after a new version's line was written, before its commit, then a partial
    # line: repair cuts the partial line and catalogs the crashed file's lines again.
    path = max((archive_copy / "items").glob("*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
    lines = path.read_text(encoding="utf-8").splitlines()
    item = next(json.loads(line) for line in lines if json.loads(line).get("kind") == "post")
    edited = {
        **item,
        "version": item["version"] + 1,
        "title": "Edited after the crash",
        "published": "2031-02-03T04:05:06+00:00",
        "fetched_at": "2031-02-03T05:00:00+00:00",
        "content_hash": "0" * 64,
    }
    crashed = path.with_name(path.name + ".open")
    path.rename(crashed)
    with crashed.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(edited) + "\n" + '{"url": "https://cut.example/')
    repair_data_dir(archive_copy)
    assert catalog.latest(item["url"]).title == "Edited after the crash"  # type: ignore[union-attr]
    assert_summary_agrees(catalog)
    repaired = post_stats(catalog)
    assert repaired.versions == before.versions + 1
    site = next(s for s in repaired.sites if s.name == item["site"])
    assert (site.last_published, site.last_fetched) == (edited["published"], edited["fetched_at"])
    assert repaired.per_month[item["site"]]["2031-02"] == 1
    rebuilt = run_cli("reindex", "--data-dir", str(archive_copy))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_summary_agrees(catalog)
    assert post_stats(catalog) == repaired


def test_a_catalog_from_before_the_summary_gets_it_from_its_own_rows(
    archive_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """As the previous format left it: no summary tables or triggers. Opening it works
    the summary out from its rows (a row no file holds is counted: no rebuild); read-only,
    its stats are worked out from every row."""
    db = sqlite3.connect(archive_copy / "history.sqlite3", isolation_level=None)
    for name in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER catalog_summary_{name}")
    db.execute("DROP TABLE catalog_latest")
    db.execute("DROP TABLE catalog_counts")
    db.execute("UPDATE catalog_state SET value = '2' WHERE key = 'complete'")
    row = item_row({"url": "https://only.example/x", "site": "only"}, "gone.jsonl", 0)
    db.execute(f"INSERT INTO catalog_items VALUES ({', '.join('?' * 15)})", row)
    db.close()
    # Where it cannot be written, it is read as it is; its stats by the pass over every row.
    unsummed = Catalog(read_only(archive_copy / "history.sqlite3"), archive_copy)
    assert unsummed.unsummed()
    assert "only" in {site.name for site in post_stats(unsummed).sites}
    assert post_stats(unsummed) == scanned_stats(unsummed)
    unsummed.db.close()
    with caplog.at_level(logging.WARNING):
        catalog = open_catalog(archive_copy)
    assert "building the catalog" not in caplog.text
    assert catalog.complete()
    assert_summary_agrees(catalog)
    assert "only" in {site.name for site in post_stats(catalog).sites}


def test_the_stats_page_shows_a_post_the_moment_it_is_committed(archive_copy: Path) -> None:
    """No aggregation to wait for or to refresh: the next request counts it."""
    with TestClient(create_app(archive_copy)) as client:
        assert "summary-site" not in client.get("/stats").text
        session = ArchiveSession(archive_copy)
        session.open_warc(prefix="late")
        session.open_jsonl(prefix="late")
        when = datetime(2025, 5, 1, tzinfo=UTC)
        url = "https://late.example/new-post"
        exchange = HttpExchange(
            url=url,
            response_headers=[("Content-Type", "text/html")],
            body=b"<html><title>Late</title><p>Written while serving.</p></html>",
            fetched_at=when,
        )
        post = PostRecord(
            url=url, site="summary-site", title="Late", body="Written.", published="2025-04-30"
        )
        for kept in session.capture(exchange, [post.replace(fetched_at=when.isoformat())]):
            session.commit(kept)
        text = client.get("/stats").text
        session.close()
    assert '<a href="/?site=summary-site">summary-site</a>' in text
    assert "summary-site, 2025-04: 1" in text
