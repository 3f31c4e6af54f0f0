"""A WARC damaged in the middle, end to end: ``verify --repair`` quarantines it, keeps its
sound records in place, and the next crawl fetches the lost post again.

One blog of 20 posts is crawled; one post's response record, in the middle of its WARC
file, gets a damaged byte (as a failing disk would leave it). Then ``verify`` fails,
``verify --repair`` moves the file to ``DATA/quarantine/`` and puts the sound records
back, ``verify`` names only the lost post, and a recrawl makes the archive whole.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.warc.cdxj import index_path
from archive.warc.members import scan
from tests.conftest import LOOPBACK, read_items, run_cli
from tests.sites import BlogServer, get_blog
from tests.support.checkers import cdxj_index

POSTS = 20


def _crawl(url: str, data_dir: Path) -> None:
    result = run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK)
    assert result.returncode == 0, result.stdout + result.stderr


def _damage(data_dir: Path) -> dict[str, Any]:
    """Spoil one byte in the middle of a post's response member, mid-file."""
    items = [i for i in read_items(data_dir) if i.get("kind") == "post"]
    victim = items[len(items) // 2]
    ref = victim["warc"]
    path = data_dir / "warc" / ref["filename"]
    member = next(m for m in scan(path).members if m.offset == ref["offset"])
    data = bytearray(path.read_bytes())
    data[member.offset + member.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    later = [i["url"] for i in items if i["warc"]["filename"] == ref["filename"]]
    after = [url for url in later if url != victim["url"]][-1]  # its record moves up
    return {
        "url": victim["url"],
        "after": after,
        "path": path,
        "sha1": hashlib.sha1(data).hexdigest(),
    }


def _verify(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("verify", "--data-dir", str(data_dir), *extra)


@pytest.fixture(scope="module")
def repaired(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    blog = get_blog("blogger", posts=POSTS)
    data_dir = tmp_path_factory.mktemp("quarantine") / "data"
    with BlogServer(blog) as server:
        _crawl(server.url, data_dir)
        damaged = _damage(data_dir)
        before = _verify(data_dir)
        repair = _verify(data_dir, "--repair")
        # the recrawl appends to the salvaged file (a rolling WARC): keep it as repair left it
        salvaged = data_dir.parent / "salvaged" / damaged["path"].name
        salvaged.parent.mkdir()
        shutil.copy(damaged["path"], salvaged)
        shutil.copy(index_path(damaged["path"]), index_path(salvaged))
        after = _verify(data_dir)
        moved = run_cli("show", damaged["after"], "--raw", "--data-dir", str(data_dir))
        items_before = read_items(data_dir)
        _crawl(server.url, data_dir)
        healed = _verify(data_dir)
    return {
        "data_dir": data_dir,
        "damaged": damaged,
        "before": before,
        "repair": repair,
        "salvaged": salvaged,
        "after": after,
        "moved": moved,
        "items_before": items_before,
        "healed": healed,
    }


def test_verify_fails_on_the_damage(repaired: dict[str, Any]) -> None:
    assert repaired["before"].returncode == 1
    assert repaired["damaged"]["path"].name in repaired["before"].stdout


def test_repair_quarantines_the_file_unchanged(repaired: dict[str, Any]) -> None:
    damaged = repaired["damaged"]
    assert "quarantined" in repaired["repair"].stdout
    moved = repaired["data_dir"] / "quarantine" / damaged["path"].name
    assert hashlib.sha1(moved.read_bytes()).hexdigest() == damaged["sha1"]


def test_sound_records_stay_in_place_and_read_with_independent_tools(
    repaired: dict[str, Any],
) -> None:
    path = repaired["salvaged"]
    indexed = cdxj_index(path)
    urls = {json.loads(line.split(" ", 2)[2])["url"] for line in indexed.splitlines()}
    assert repaired["damaged"]["url"] not in urls
    assert len(urls) > 1  # the other captures of the file are still there
    beside = index_path(path).read_text(encoding="utf-8").splitlines()
    assert {json.loads(line.split(" ", 2)[2])["url"] for line in beside} >= urls


def test_a_moved_record_is_read_where_the_catalog_now_points(repaired: dict[str, Any]) -> None:
    moved = repaired["moved"]
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("HTTP/1.1 200 OK")
    assert urlsplit(repaired["damaged"]["after"]).path in moved.stdout


def test_after_repair_verify_names_only_the_lost_post(repaired: dict[str, Any]) -> None:
    after = repaired["after"]
    problems = [line for line in after.stdout.splitlines() if line.startswith("PROBLEM")]
    assert after.returncode == 1
    assert len(problems) == 1, after.stdout
    assert "quarantine" in problems[0]
    assert "next crawl" in problems[0]


def test_the_next_crawl_fetches_the_lost_post_and_verify_passes(
    repaired: dict[str, Any],
) -> None:
    url = repaired["damaged"]["url"]
    before = sum(1 for i in repaired["items_before"] if i["url"] == url)
    after = sum(1 for i in read_items(repaired["data_dir"]) if i["url"] == url)
    assert after == before + 1
    assert repaired["healed"].returncode == 0, repaired["healed"].stdout
