"""Recrawls and crashes, end to end: revisits instead of copies, versions, SIGKILL recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.search.index import SearchIndex
from tests.conftest import LOOPBACK, ROOT, read_items, run_cli
from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable
from tests.support.checkers import assert_warcs_pass_checkers, cdxj_index

REFERS_TO = ("WARC-Refers-To", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")


@dataclass
class Run:
    """One crawl's records (from its warcinfo record on) and their bytes in the WARC."""

    records: list[Any] = field(default_factory=list)
    size: int = 0


def runs_of(data_dir: Path) -> list[Run]:
    """The records of each crawl, in order: a crawl appends to the site's rolling WARC,
    each run starting with its own warcinfo record."""
    runs: list[Run] = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                record.content_stream().read()
                if record.rec_type == "warcinfo":
                    runs.append(Run())
                runs[-1].records.append(record)
                runs[-1].size += records.get_record_length()
    return runs


def crawl(url: str, data_dir: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK, *settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One blog crawled three times: first; unchanged, with sitemap dates ignored (so
    every post is asked for conditionally); then with three posts edited and their
    sitemap ``lastmod`` moved, as a blog engine does."""
    blog = get_blog("blogger", posts=80)
    data_dir = tmp_path_factory.mktemp("recrawl")
    with BlogServer(blog) as server:
        runs = [crawl(server.url, data_dir)]
        runs.append(crawl(server.url, data_dir, "-s", "INCREMENTAL_ENABLED=False"))
        edited = editable(blog, 3)
        for entry in edited:
            edit_post(server, blog, entry, " (updated)")
        runs.append(crawl(server.url, data_dir))
        url = server.url
    return {"blog": blog, "url": url, "data_dir": data_dir, "runs": runs, "edited": edited}


def test_unchanged_recrawl_makes_no_items(recrawled: dict[str, Any]) -> None:
    first, second, _ = (r.stdout.splitlines()[0] for r in recrawled["runs"])
    # 80 posts and the blog's about page (an item of kind page).
    assert "81 posts (81 new, 0 changed, 0 unchanged)" in first
    assert "0 posts (0 new, 0 changed, 81 unchanged)" in second


def test_unchanged_recrawl_writes_revisits_not_copies(recrawled: dict[str, Any]) -> None:
    first, second, _ = runs_of(recrawled["data_dir"])
    kinds = Counter(r.rec_type for r in second.records)
    # Full responses only for the feed and sitemap probes the blog answers with a 404.
    missing = [r for r in second.records if r.rec_type == "response"]
    assert all(r.http_headers.get_statuscode() == "404" for r in missing)
    assert kinds["response"] == len(missing) <= 10
    assert kinds["revisit"] + len(missing) == kinds["request"] > 80
    for record in second.records:
        if record.rec_type == "revisit":
            assert all(record.rec_headers.get_header(h) for h in REFERS_TO)
    assert second.size < first.size / 3


def test_sitemap_dates_spare_unchanged_posts_the_request(recrawled: dict[str, Any]) -> None:
    _, second, third = runs_of(recrawled["data_dir"])
    asked = {
        r.rec_headers.get_header("WARC-Target-URI")
        for r in third.records
        if r.rec_type == "request"
    }
    edited = {recrawled["url"].rstrip("/") + e["url"] for e in recrawled["edited"]}
    assert edited <= asked
    assert len(asked) < len([r for r in second.records if r.rec_type == "request"]) - 40


def test_revisits_point_at_original_responses(recrawled: dict[str, Any]) -> None:
    first, second, _ = runs_of(recrawled["data_dir"])
    originals = {
        r.rec_headers.get_header("WARC-Record-ID"): r.rec_headers.get_header("WARC-Target-URI")
        for r in first.records
        if r.rec_type == "response"
    }
    profiles = Counter()
    for record in second.records:
        if record.rec_type != "revisit":
            continue
        target = originals[record.rec_headers.get_header("WARC-Refers-To")]
        assert target == record.rec_headers.get_header("WARC-Refers-To-Target-URI")
        profiles[record.rec_headers.get_header("WARC-Profile").rsplit("/", 1)[1]] += 1
    # Every post answered 304; the about page too when the sitemap named it (a conditional
    # request) before the navigation did (an explored page: a plain request).
    assert profiles["server-not-modified"] in (80, 81)
    assert profiles["identical-payload-digest"] > 0  # listings, feeds, sitemaps


def test_changed_posts_become_new_versions(recrawled: dict[str, Any]) -> None:
    third = recrawled["runs"][2].stdout.splitlines()[0]
    assert "3 posts (0 new, 3 changed, 78 unchanged)" in third
    items = read_items(recrawled["data_dir"])
    urls = Counter(i["url"] for i in items)
    edited = {recrawled["url"].rstrip("/") + e["url"] for e in recrawled["edited"]}
    assert {u for u, n in urls.items() if n > 1} == edited
    for item in items:
        if item["version"] == 2:
            assert item["title"].endswith("(updated)")
    assert sum(1 for i in items if i["version"] == 1) == 80


def test_archive_verifies_and_indexes(recrawled: dict[str, Any]) -> None:
    result = run_cli("verify", "--data-dir", str(recrawled["data_dir"]))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("verify: ok")
    warcs = sorted((recrawled["data_dir"] / "warc").glob("*.warc.gz"))
    assert_warcs_pass_checkers(warcs)
    files = [str(p) for p in warcs]
    cdxj = subprocess.run(
        [sys.executable, "-m", "cdxj_indexer.main", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cdxj.returncode == 0
    assert sum("warc/revisit" in line for line in cdxj.stdout.splitlines()) > 80


def test_recrawls_append_to_one_rolling_warc(recrawled: dict[str, Any]) -> None:
    """Three crawls, one WARC file: each run appended its warcinfo record and captures;
    warcio and cdxj-indexer read every run's records, and the index written beside the
    file (extended at each close) is what cdxj-indexer makes of the whole file."""
    [warc] = (recrawled["data_dir"] / "warc").glob("*.warc.gz")
    runs = runs_of(recrawled["data_dir"])
    assert len(runs) == 3
    assert all(run.records[0].rec_type == "warcinfo" for run in runs)
    dates = [run.records[0].rec_headers.get_header("WARC-Date") for run in runs]
    assert dates == sorted(set(dates))  # each run's own warcinfo, written as it began
    whole = cdxj_index(warc)
    indexable = sum(
        r.rec_type in ("response", "revisit", "metadata") for run in runs for r in run.records
    )
    assert len(whole.splitlines()) == indexable
    offsets = {json.loads(line.split(" ", 2)[2])["offset"] for line in whole.splitlines()}
    assert int(max(offsets, key=int)) > runs[0].size  # records of the later runs too
    assert (warc.parent / (warc.name + ".cdxj")).read_text() == whole


def test_recrawls_append_items_to_one_rolling_jsonl(recrawled: dict[str, Any]) -> None:
    """The third crawl's new versions went to the first crawl's JSONL file (the second
    stored none), after its lines, which kept their offsets: the catalog finds both."""
    [jsonl] = (recrawled["data_dir"] / "items").glob("*.jsonl*")
    items = read_items(recrawled["data_dir"])
    assert [item["version"] for item in items[-3:]] == [2, 2, 2]
    assert all(item["version"] == 1 for item in items[:-3])
    entry = recrawled["edited"][0]
    url = recrawled["url"].rstrip("/") + entry["url"]
    titles = []
    for version in ("1", "2"):  # each read where the catalog points: file and offset
        args = ("show", url, "--version", version, "--json")
        shown = run_cli(*args, "--data-dir", str(recrawled["data_dir"]))
        assert shown.returncode == 0, shown.stderr
        titles.append(json.loads(shown.stdout)["title"])
    assert titles == [entry["title"], entry["title"] + " (updated)"]
    assert jsonl.name.endswith(".jsonl")


def test_sigkill_mid_write_then_resume(tmp_path: Path) -> None:
    """Kill the crawl while it writes; the next run repairs and completes, nothing twice."""
    blog = get_blog("wordpress", posts=300)
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with BlogServer(blog) as server:
        expected = {e["url"] for e in blog.expected(server.url)}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler.cli",
                "crawl",
                "--url",
                server.url,
                "--data-dir",
                str(data_dir),
                *LOOPBACK,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(read_items_live(data_dir)) < 60:
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert list((data_dir / "warc").glob("*.open")), "the kill should leave an open WARC"
        broken = run_cli("verify", "--data-dir", str(data_dir))
        assert broken.returncode == 1
        assert "still .open" in broken.stdout
        resumed = crawl(server.url, data_dir)
        assert "repaired" in resumed.stderr
    assert run_cli("verify", "--data-dir", str(data_dir)).returncode == 0
    runs = json.loads(run_cli("runs", "--json", "--data-dir", str(data_dir)).stdout)
    assert [r["status"] for r in runs] == ["ok", "interrupted"]
    assert runs[0]["new_posts"] + runs[0]["unchanged_posts"] >= 300 - runs[1]["new_posts"]
    urls = Counter(item["url"] for item in read_items(data_dir))
    assert [u for u, n in urls.items() if n > 1] == []
    assert set(urls) == expected
    # The killed crawl's posts never reached the index from its own (lost) last batch:
    # the repair at the next start indexed them, so search finds every post.
    index = SearchIndex(data_dir / "index")
    assert {url for url in expected if index.versions(url)} == expected


def read_items_live(data_dir: Path) -> list[str]:
    """Lines written so far, live files included."""
    folder = data_dir / "items"
    if not folder.is_dir():
        return []
    return [line for path in folder.iterdir() for line in path.read_text().splitlines()]
