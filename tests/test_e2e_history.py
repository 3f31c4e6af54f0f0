"""History you can read, end to end: a 40-post blog crawled, 8 posts edited (a sentence
added to each, sitemap dates moved as a blog engine does), recrawled; then the diff, the
Atom feeds and the dataset export read that real archive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

from archive.web.app import create_app
from archive.web.security import allowed_hosts
from crawler.demo.server import Resource
from tests.conftest import LOOPBACK, read_items, run_cli
from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable

SENTENCE = "This sentence was added in an edit."
NS = {"a": "http://www.w3.org/2005/Atom"}


def _add_sentence(server: BlogServer, path: str) -> None:
    """Open the post's body with a new one-sentence paragraph."""
    page = server.resource(path)
    head, body = page.body.split(b"post-body", 1)
    tag_end = body.index(b">") + 1
    body = body[:tag_end] + f"<p>{SENTENCE}</p>".encode() + body[tag_end:]
    server.update(path, Resource(head + b"post-body" + body, page.content_type))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    blog = get_blog("blogger", posts=40)
    data_dir = tmp_path_factory.mktemp("history") / "data"
    with BlogServer(blog) as server:
        crawl = ("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
        assert run_cli(*crawl).returncode == 0
        edited = editable(blog, 8)
        for entry in edited:
            _add_sentence(server, entry["url"])
            edit_post(server, blog, entry, "")  # moves the sitemap date, title unchanged
        assert run_cli(*crawl).returncode == 0
        urls = [server.url.rstrip("/") + entry["url"] for entry in edited]
    return {"data_dir": data_dir, "edited": urls}


def test_show_diff_marks_the_added_sentence(archive: dict[str, Any]) -> None:
    url = archive["edited"][0]
    result = run_cli("show", url, "--diff", "--json", "--data-dir", str(archive["data_dir"]))
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    added = " ".join(s["text"] for p in diff["body"] for s in p if s["op"] == "added")
    assert SENTENCE in added
    assert diff["fields"] == []
    assert diff["summary"] == "body +7 -0 words"


def test_the_feeds_list_the_edits_and_the_posts(archive: dict[str, Any]) -> None:
    app = create_app(archive["data_dir"], allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        changes = ET.fromstring(client.get("/feeds/changes.atom").content)
        posts = ET.fromstring(client.get("/feeds/posts.atom").content)
    entries = changes.findall("a:entry", NS)
    linked = {
        link.get("href") for e in entries if (link := e.find("a:link[@rel='via']", NS)) is not None
    }
    assert linked == set(archive["edited"])
    summaries = {e.findtext("a:summary", namespaces=NS) for e in changes.findall("a:entry", NS)}
    assert summaries == {"body +7 -0 words"}
    assert len(posts.findall("a:entry", NS)) == 40


def test_parquet_has_one_row_per_jsonl_line(archive: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "history.parquet"
    args = ("export", "--parquet", str(out), "--kind", "all")
    assert run_cli(*args, "--data-dir", str(archive["data_dir"])).returncode == 0
    items = read_items(archive["data_dir"], ("post", "page"))
    table = pq.read_table(out)
    assert table.num_rows == len(items) == 41 + 8  # 40 posts, the about page, 8 new versions
