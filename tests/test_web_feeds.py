"""Atom feeds of an archive (posts, and new versions of changed posts) and the diff view of
two versions, on a real archive (WARC, JSONL and index) through the web app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from starlette.testclient import TestClient

from archive.web.app import create_app
from archive.web.posts import post_id
from archive.web.security import allowed_hosts
from tests.test_search_kinds import PAGE_URL, POST_URL, kinds_archive

NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(kinds_archive(tmp_path / "data"), allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        yield client


def _feed(client: TestClient, path: str) -> ET.Element:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(answer.content)
    # RFC 4287: a feed has an id, a title, an updated date and an author (or every entry
    # has one); every entry an id, a title, an updated date and a link.
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated", "author/a:name"):
        assert feed.findtext(f"a:{name}", namespaces=NS), name
    for entry in feed.findall("a:entry", NS):
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"a:{name}", namespaces=NS), name
        assert entry.find("a:link[@rel='alternate']", NS) is not None
    return feed


def test_posts_feed_lists_posts_with_links_into_the_archive(client: TestClient) -> None:
    feed = _feed(client, "/feeds/posts.atom")
    [entry] = feed.findall("a:entry", NS)  # the page is not a post
    assert entry.findtext("a:title", namespaces=NS) == "Rust notes"
    link = entry.find("a:link[@rel='alternate']", NS)
    assert link is not None
    assert link.get("href") == f"http://127.0.0.1:8080/posts/{post_id(POST_URL)}"
    assert entry.findtext("a:updated", namespaces=NS) == "2024-01-05T00:00:00+00:00"
    assert entry.findtext("a:author/a:name", namespaces=NS) == "Ana Lima"


def test_posts_feed_takes_the_search_filters(client: TestClient) -> None:
    assert _feed(client, "/feeds/posts.atom?kind=page").findall("a:entry", NS)
    assert not _feed(client, "/feeds/posts.atom?q=nothingmatchesthis").findall("a:entry", NS)
    assert client.get("/feeds/posts.atom?q=%22unclosed").status_code == 400


def test_changes_feed_lists_new_versions_with_what_changed(client: TestClient) -> None:
    feed = _feed(client, "/feeds/changes.atom")
    [entry] = feed.findall("a:entry", NS)
    assert entry.findtext("a:title", namespaces=NS) == "About this blog (version 2)"
    assert entry.findtext("a:summary", namespaces=NS) == "body +2 -5 words"
    link = entry.find("a:link[@rel='alternate']", NS)
    assert link is not None
    assert link.get("href") == f"http://127.0.0.1:8080/posts/{post_id(PAGE_URL)}?version=2"
    assert feed.findtext("a:updated", namespaces=NS) == "2024-03-01T00:00:00+00:00"


def test_the_post_page_links_each_version_to_what_changed(client: TestClient) -> None:
    page = client.get(f"/posts/{post_id(PAGE_URL)}")
    assert f'href="/posts/{post_id(PAGE_URL)}/diff?to=2"' in page.text
    diff = client.get(f"/posts/{post_id(PAGE_URL)}/diff?to=2")
    assert diff.status_code == 200
    assert "<del>Notes on who writes here.</del>" in diff.text
    assert "<ins>Notes, rewritten.</ins>" in diff.text
    assert "body +2 -5 words" in diff.text
    # The UI's own page policy (no script), as on the post page itself.
    assert diff.headers["content-security-policy"] == page.headers["content-security-policy"]
    assert client.get(f"/posts/{post_id(POST_URL)}/diff").status_code == 404  # one version
