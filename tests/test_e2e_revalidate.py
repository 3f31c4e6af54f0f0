"""Revalidation, end to end: a stale sitemap or feed date delays noticing an edit, never
hides it.

The fixture blog's sitemaps and feeds keep every post's date when a post is edited (as
Jekyll's and Hugo's default sitemaps do). Three crawls of one blog of 60 posts: the first;
with 12 posts edited, ``--revalidate-all``; with 12 more edited, the default policy once
every post is due (``revalidate_after = "2s"``).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOOPBACK, read_items, run_cli
from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable
from tests.sites.model import Blog

POSTS = 60
EDITED = 12


def _config(path: Path, url: str, revalidate_after: str) -> Path:
    path.write_text(
        f'[[sites]]\nname = "stale"\nurl = "{url}"\nrevalidate_after = "{revalidate_after}"\n',
        encoding="utf-8",
    )
    return path


def _crawl(config: Path, data_dir: Path, *extra: str) -> None:
    args = ("crawl", "stale", "--config", str(config), "--data-dir", str(data_dir))
    result = run_cli(*args, *LOOPBACK, *extra)
    assert result.returncode == 0, result.stdout + result.stderr


def _runs(data_dir: Path) -> list[dict[str, Any]]:
    result = run_cli("runs", "--json", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return list(reversed(json.loads(result.stdout)))  # oldest first


def _edit(server: BlogServer, blog: Blog, entries: list[dict[str, str]], suffix: str) -> None:
    for entry in entries:
        edit_post(server, blog, entry, suffix, move_lastmod=False)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    blog = get_blog("blogger", posts=POSTS)
    tmp = tmp_path_factory.mktemp("revalidate")
    data_dir = tmp / "data"
    posts = editable(blog, 2 * EDITED)
    with BlogServer(blog) as server:
        hourly = _config(tmp / "hourly.toml", server.url, "1h")
        _crawl(hourly, data_dir)
        _edit(server, blog, posts[:EDITED], " (edited)")
        _crawl(hourly, data_dir, "--revalidate-all")
        _edit(server, blog, posts[EDITED:], " (edited again)")
        quick = _config(tmp / "quick.toml", server.url, "2s")
        time.sleep(2.5)  # every post's interval (1 to 2 s) has passed
        _crawl(quick, data_dir)
        base = server.url.rstrip("/")
    return {
        "data_dir": data_dir,
        "runs": _runs(data_dir),
        "posts": [base + p["url"] for p in posts],
    }


def test_the_first_crawl_revalidates_nothing(crawled: dict[str, Any]) -> None:
    first = crawled["runs"][0]
    assert first["new_posts"] >= POSTS
    assert (first["revalidated"], first["revalidated_changed"]) == (0, 0)


def test_revalidate_all_finds_exactly_the_edited_posts(crawled: dict[str, Any]) -> None:
    run = crawled["runs"][1]
    assert run["changed_posts"] == EDITED
    # Posts the home page and listings link to are asked for (conditionally) before the
    # sitemap is read: only the others count as revalidated.
    assert 0 < run["revalidated_changed"] <= EDITED
    assert run["revalidated"] >= POSTS // 2


def test_the_default_policy_finds_every_edit_once_due(crawled: dict[str, Any]) -> None:
    run = crawled["runs"][2]
    assert run["changed_posts"] == EDITED
    assert 0 < run["revalidated_changed"] <= EDITED
    assert run["revalidated"] >= POSTS // 2


def test_each_edit_is_one_new_version(crawled: dict[str, Any]) -> None:
    versions = Counter(item["url"] for item in read_items(crawled["data_dir"]))
    assert {url for url, n in versions.items() if n > 1} == set(crawled["posts"])
    assert {versions[url] for url in crawled["posts"]} == {2}
