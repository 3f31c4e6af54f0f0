"""A recrawl where a post's dates disagree: its feed entry keeps the date of the first
version, its sitemap ``lastmod`` moved with the edit. Which of the two a crawl reads first
is down to timing (a loaded machine once read the feed first and missed an edit); here
each order is forced by slowing the other, and every edit must be fetched either way."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, read_items, run_cli
from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable

FEED = "/feeds/posts/default"
SITEMAP = "/sitemap.xml?page=1"


def _requests(data_dir: Path) -> Counter[str]:
    """How many times each URL was asked for, over every crawl of the archive."""
    asked: Counter[str] = Counter()
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    asked[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return asked


@pytest.mark.parametrize("read_first", ["feed", "sitemap"])
def test_the_later_date_wins_whichever_is_read_first(tmp_path: Path, read_first: str) -> None:
    blog = get_blog("blogger", posts=12)
    data_dir = tmp_path / "data"
    with BlogServer(blog) as server:
        crawl = ("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
        assert run_cli(*crawl).returncode == 0
        # The oldest: the home page's links (asked for whatever their dates) miss them.
        edited = editable(blog, 12)[-3:]
        for entry in edited:
            edit_post(server, blog, entry, " (edited)")  # the sitemap's date moves
        server.slow(SITEMAP if read_first == "feed" else FEED, 1.5)
        result = run_cli(*crawl)
        assert result.returncode == 0, result.stderr
        base = server.url.rstrip("/")
    new = {item["url"]: item["title"] for item in read_items(data_dir) if item["version"] > 1}
    assert new == {base + entry["url"]: entry["title"] + " (edited)" for entry in edited}
    asked = _requests(data_dir)
    assert all(asked[url] == 2 for url in new)
    # The dates still spare the unchanged posts that only feeds and sitemaps name.
    assert any(asked[base + entry["url"]] == 1 for entry in blog.truth)
