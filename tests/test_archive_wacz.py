"""export --wacz on real archives: the index merged from the WARCs' own CDXJ files (or made
at export for WARCs without a current one) is what cdxj-indexer makes of all the WARCs;
pages.jsonl lists each URL once, at its latest version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from archive.wacz import export_wacz
from archive.warc.cdxj import index_path
from tests.test_archive_verify import crawl


def cdxj_indexer(warcs: list[Path]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "cdxj_indexer.main", "--sort", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def archive(data_dir: Path) -> list[Path]:
    """Two sites; alpha crawled three times into its rolling WARC (rotating at 8 kB), its
    post 1 changed on the third day; beta once, into a WARC of its own."""
    crawl(data_dir, "alpha", range(6), 0, append=True, max_size=8_000)
    crawl(data_dir, "alpha", range(6, 9), 1, append=True, max_size=8_000)
    crawl(data_dir, "alpha", range(1, 2), 2, append=True, max_size=8_000)
    crawl(data_dir, "beta", range(4), 2)
    return sorted((data_dir / "warc").glob("*.warc.gz"))


def wacz_parts(path: Path) -> tuple[str, list[dict[str, str]], list[str]]:
    with zipfile.ZipFile(path) as wacz:
        index = wacz.read("indexes/index.cdx").decode()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        names = wacz.namelist()
    return index, pages, names


def test_the_index_is_merged_from_the_warcs_own_and_equals_cdxj_indexer(tmp_path: Path) -> None:
    warcs = archive(tmp_path)
    assert len(warcs) > 2  # alpha's WARC rotated
    assert all(index_path(w).exists() for w in warcs)
    summary = export_wacz(tmp_path, tmp_path / "a.wacz")
    assert (summary.warcs, summary.damaged) == (len(warcs), ())
    index, _, names = wacz_parts(tmp_path / "a.wacz")
    assert index == cdxj_indexer(warcs)
    assert [n for n in names if n.startswith("archive/")] == [f"archive/{w.name}" for w in warcs]
    # An older archive (no index beside its WARCs) is indexed at export: the same index.
    for warc in warcs:
        index_path(warc).unlink()
    export_wacz(tmp_path, tmp_path / "b.wacz")
    assert wacz_parts(tmp_path / "b.wacz")[0] == index


def test_an_index_older_than_its_warc_is_not_used(tmp_path: Path) -> None:
    warcs = archive(tmp_path)
    stale = index_path(warcs[0])
    stale.write_text(stale.read_text().splitlines(keepends=True)[0])  # one line left
    newer = stale.stat().st_mtime_ns + 1_000_000_000
    os.utime(warcs[0], ns=(newer, newer))  # as when a crawl appended and died before indexing
    export_wacz(tmp_path, tmp_path / "a.wacz")
    assert wacz_parts(tmp_path / "a.wacz")[0] == cdxj_indexer(warcs)


def test_pages_list_each_url_once_at_its_latest_version(tmp_path: Path) -> None:
    archive(tmp_path)
    summary = export_wacz(tmp_path, tmp_path / "a.wacz")
    _, pages, _ = wacz_parts(tmp_path / "a.wacz")
    assert pages[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    urls = [page["url"] for page in pages[1:]]
    assert len(urls) == len(set(urls)) == summary.pages == 9 + 4
    assert urls[:2] == ["http://alpha.example/post-0.html", "http://alpha.example/post-1.html"]
    changed = pages[2]
    assert changed["ts"].startswith("2026-03-03")  # the third crawl's version
    assert all(page["ts"].startswith("2026-03-01") for page in pages[3:7])


def test_pages_come_from_the_catalog_and_one_is_built_when_missing(tmp_path: Path) -> None:
    archive(tmp_path)
    export_wacz(tmp_path, tmp_path / "a.wacz")
    _, pages, _ = wacz_parts(tmp_path / "a.wacz")
    # Only warc/ and items/ left (a copied archive): the catalog is built from them once,
    # and the pages are the same.
    (tmp_path / "history.sqlite3").unlink()
    export_wacz(tmp_path, tmp_path / "b.wacz")
    assert wacz_parts(tmp_path / "b.wacz")[1] == pages
    assert (tmp_path / "history.sqlite3").exists()
    # The catalog is what is read: a JSONL file gone after it was built takes no page away.
    for items in (tmp_path / "items").glob("*.jsonl"):
        items.unlink()
    export_wacz(tmp_path, tmp_path / "c.wacz")
    assert wacz_parts(tmp_path / "c.wacz")[1] == pages
