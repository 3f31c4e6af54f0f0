"""The catalog (``history.sqlite3``): what crawls write equals what the files say, and
``reindex`` rebuilds it from the files alone.

The archive is the web UI tests' one (the demo blog crawled, one post edited, crawled
again: versions 1 and 2, responses and both kinds of revisit), copied per test that
changes it. The files are read with warcio and ``json``, not through the catalog's code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from archive.catalog import open_catalog, read_record
from archive.records import PostRecord
from archive.session import ArchiveSession
from archive.state.catalog import Catalog, post_id
from archive.state.catalog_scan import _indexed_members as indexed_members
from archive.state.catalog_scan import warc_captures as scanned_captures
from archive.warc import cdxj
from archive.warc.records import HttpExchange
from archive.web import create_app
from tests.conftest import run_cli
from tests.test_web_fixture import EDITED, WebArchive


def jsonl_versions(data_dir: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """(URL, version) → item, from every JSONL line (the last line of a version wins)."""
    found = {}
    for path in sorted((data_dir / "items").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            found[(item["url"], item["version"])] = item
    return found


def without_pointer(image: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in image.items() if k != "warc"}


def warc_captures(data_dir: Path) -> set[tuple[Any, ...]]:
    """(file, offset, URL, type, record id, date, refers-to) of every response and revisit."""
    found = set()
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type in ("response", "revisit"):
                    head = record.rec_headers
                    found.add(
                        (
                            path.name,
                            records.get_record_offset(),
                            head.get_header("WARC-Target-URI"),
                            record.rec_type,
                            head.get_header("WARC-Record-ID"),
                            head.get_header("WARC-Date"),
                            head.get_header("WARC-Refers-To"),
                        )
                    )
    return found


def catalog_versions(catalog: Catalog) -> dict[tuple[str, int], dict[str, Any]]:
    rows = catalog.db.execute("SELECT DISTINCT url FROM catalog_items").fetchall()
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for (url,) in rows:
        for entry in catalog.versions(url):
            record = read_record(entry)
            assert record is not None, entry
            assert (entry.record_id, entry.warc_file, entry.warc_offset) == (
                record.warc.record_id if record.warc else None,
                record.warc.filename if record.warc else None,
                record.warc.offset if record.warc else None,
            )
            found[(url, entry.version or 0)] = record.to_dict()
    return found


def catalog_captures(catalog: Catalog) -> set[tuple[Any, ...]]:
    rows = catalog.db.execute(
        "SELECT filename, offset, url, kind, record_id, date, refers_to FROM catalog_captures"
    )
    return {tuple(row) for row in rows}


def test_what_a_crawl_and_recrawl_catalogued_is_what_the_files_hold(archive_copy: Path) -> None:
    catalog = open_catalog(archive_copy)
    assert catalog.complete()
    expected = jsonl_versions(archive_copy)
    assert catalog_versions(catalog) == expected
    assert {version for _, version in expected} == {1, 2}
    captures = warc_captures(archive_copy)
    assert catalog_captures(catalog) == captures
    assert {c[3] for c in captures} == {"response", "revisit"}
    # The streamed listings (for exports) hold the same.
    assert {(e.url, e.version) for e in catalog.entries()} == set(expected)
    streamed = catalog.all_captures()
    assert {(c.filename, c.offset, c.url, c.kind) for c in streamed} == {c[:4] for c in captures}
    # Every WARC file the crawls closed is noted whole: reindex reads none again.
    sizes = {p.name: p.stat().st_size for p in (archive_copy / "warc").glob("*.warc.gz")}
    assert catalog.done_files() == sizes
    rebuilt = run_cli("reindex", "--data-dir", str(archive_copy))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "catalogued the captures" not in rebuilt.stdout
    assert catalog_versions(catalog) == expected
    assert catalog_captures(catalog) == captures


def test_reindex_restores_the_catalog_when_the_history_is_lost(archive_copy: Path) -> None:
    catalog = open_catalog(archive_copy)
    versions, captures = catalog_versions(catalog), catalog_captures(catalog)
    catalog.db.close()
    for path in archive_copy.glob("history.sqlite3*"):
        path.unlink()
    shutil.rmtree(archive_copy / "index")
    rebuilt = run_cli("reindex", "--data-dir", str(archive_copy))
    assert rebuilt.returncode == 0, rebuilt.stderr
    warcs = len(list((archive_copy / "warc").glob("*.warc.gz")))
    assert f"catalogued the captures of {warcs} WARC files" in rebuilt.stdout
    catalog = open_catalog(archive_copy)
    assert catalog.complete()
    assert catalog_versions(catalog) == versions
    assert catalog_captures(catalog) == captures


def test_reindex_from_warc_restores_it_without_the_jsonl(
    archive_copy: Path, archived: WebArchive
) -> None:
    versions = jsonl_versions(archive_copy)
    shutil.rmtree(archive_copy / "items")
    for path in archive_copy.glob("history.sqlite3*"):
        path.unlink()
    rebuilt = run_cli("reindex", "--from-warc", "--data-dir", str(archive_copy))
    assert rebuilt.returncode == 0, rebuilt.stderr
    # A post's WARC metadata record is written with its page, before its images arrive:
    # it names them without their WARC pointers, which only the JSONL line has.
    assert catalog_versions(open_catalog(archive_copy)) == {
        key: {**item, "images": [without_pointer(i) for i in item.get("images", [])]}
        for key, item in versions.items()
    }
    shown = run_cli("show", archived.url(EDITED), "--data-dir", str(archive_copy))
    assert shown.returncode == 0, shown.stderr
    assert "Versions (2):" in shown.stdout


def test_show_answers_from_the_catalog_not_the_jsonl(
    archive_copy: Path, archived: WebArchive
) -> None:
    """With the JSONL renamed away, the versions are still listed (each read from the
    metadata record beside its response), and an unknown URL is not looked for in files."""
    for path in (archive_copy / "items").glob("*.jsonl"):
        path.rename(path.with_suffix(".moved"))
    shown = run_cli("show", archived.url(EDITED), "--data-dir", str(archive_copy))
    assert shown.returncode == 0, shown.stderr
    assert "Versions (2):" in shown.stdout
    assert f"{EDITED} (updated)" in shown.stdout
    missing = run_cli("show", archived.base + "/nowhere", "--data-dir", str(archive_copy))
    assert missing.returncode == 1
    assert "is not in the archive" in missing.stderr


def test_an_archive_without_a_catalog_gets_one_when_first_opened(
    archive_copy: Path, archived: WebArchive
) -> None:
    """As an older version left it: history tables, no catalog tables."""
    expected = jsonl_versions(archive_copy)
    with sqlite3.connect(archive_copy / "history.sqlite3") as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for name in names:
            if name.startswith("catalog_"):
                db.execute(f"DROP TABLE {name}")
    shown = run_cli("show", archived.url(EDITED), "--data-dir", str(archive_copy))
    assert shown.returncode == 0, shown.stderr
    assert "Versions (2):" in shown.stdout
    assert "building the catalog" in shown.stderr
    catalog = open_catalog(archive_copy)
    assert catalog.complete()
    assert catalog_versions(catalog) == expected
    assert catalog_captures(catalog) == warc_captures(archive_copy)


def test_captures_read_through_a_cdxj_index_are_those_of_the_walk(archive_copy: Path) -> None:
    """Cataloguing a WARC file inflates only the heads of the records its CDXJ index
    lists; without a current index (none, older than the WARC, or a wrong one) it walks
    every record of the file. Both find the same captures."""
    paths = sorted((archive_copy / "warc").glob("*.warc.gz"))
    expected = warc_captures(archive_copy)

    def read() -> set[tuple[Any, ...]]:
        found = (c for path in paths for c in scanned_captures(path))
        return {(c.filename, c.offset, c.url, c.kind, c.record_id, c.date, c.refers_to)
                for c in found}  # fmt: skip

    first = max(paths, key=lambda p: p.stat().st_size)
    assert all(cdxj.is_current(path) for path in paths)
    assert indexed_members(first) is not None
    assert read() == expected
    index = cdxj.index_path(first)
    text = index.read_text(encoding="utf-8")
    wrong = re.sub(r'"offset": "(\d+)"', lambda m: f'"offset": "{int(m[1]) + 1}"', text)
    index.write_text(wrong, encoding="utf-8")
    assert indexed_members(first) is None
    assert read() == expected
    index.write_text(text, encoding="utf-8")
    later = index.stat().st_mtime_ns + 10**9
    os.utime(first, ns=(later, later))  # the WARC appended to since its index was written
    assert indexed_members(first) is None
    assert read() == expected
    index.unlink()
    assert read() == expected


def test_a_running_crawl_s_posts_show_up_in_a_running_ui(archive_copy: Path) -> None:
    """The UI opened first; a session then commits a post: it is there, with its capture."""
    url = "https://late.example/new-post"
    with TestClient(create_app(archive_copy)) as client:
        assert client.get(f"/api/posts/{post_id(url)}").status_code == 404
        session = ArchiveSession(archive_copy)
        session.open_warc(prefix="late")
        session.open_jsonl(prefix="late")
        when = datetime(2025, 5, 1, tzinfo=UTC)
        exchange = HttpExchange(
            url=url,
            response_headers=[("Content-Type", "text/html")],
            body=b"<html><title>Late</title><p>Written while serving.</p></html>",
            fetched_at=when,
        )
        post = PostRecord(url=url, site="late", title="Late", body="Written while serving.")
        for kept in session.capture(exchange, [post.replace(fetched_at=when.isoformat())]):
            session.commit(kept)
        answer = client.get(f"/api/posts/{post_id(url)}")  # the files are still .open
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert data["item"]["title"] == "Late"
        assert [c["label"] for c in data["captures"]] == ["new version 1"]
        assert client.get(data["captures"][0]["view"]).status_code == 200
        assert "late" in client.get("/").text
        session.close()
    assert jsonl_versions(archive_copy)[(url, 1)]["title"] == "Late"
