"""End to end: a crawl with page requisites on (issue 16).

A fixture blog on 127.0.0.1 whose 30 posts each show three images (plain, lazy
``data-src``, ``srcset``) served by another host (``localhost``, see
:mod:`tests.sites.assets`), plus a theme stylesheet: every image and the stylesheet are
archived, each once, items list their images, robots.txt and the type filter hold on the
image host, and a recrawl archives unchanged images as revisits.
"""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, free_port, read_items, run_cli
from tests.sites import BlogServer
from tests.sites.assets import IMAGE_HOST, AssetBlog

POSTS = 30
ASSETS_ON = ["-s", "ASSETS_ENABLED=True"]


def records(data_dir: Path) -> list[tuple[str, str, int | None]]:
    """(type, target URI, HTTP status) of every record of every WARC file."""
    found = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with gzip.open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                response = record.rec_type in ("response", "revisit") and record.http_headers
                status = record.http_headers.get_statuscode() if response else None
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                found.append((record.rec_type, uri, int(status) if status else None))
    return found


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    blog = AssetBlog(POSTS)
    images = BlogServer(blog.image_site()).start()
    img = f"http://{IMAGE_HOST}:{images.port}/"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    site = BlogServer(blog.blog_site(base, img), port=port).start()
    data_dir = tmp_path_factory.mktemp("assets")
    try:
        first = run_cli("crawl", "--url", base, "--data-dir", str(data_dir), *LOOPBACK, *ASSETS_ON)
        after_first = records(data_dir)
        again = run_cli(
            "crawl", "--url", base, "--data-dir", str(data_dir), *LOOPBACK, *ASSETS_ON,
            "-s", "INCREMENTAL_ENABLED=False", "-s", "ARCHIVE_CONDITIONAL_ENABLED=False",
        )  # fmt: skip
        yield {
            "blog": blog,
            "base": base,
            "img": img,
            "data_dir": data_dir,
            "first": first,
            "again": again,
            "after_first": after_first,
        }
    finally:
        site.stop()
        images.stop()


def test_crawls_succeed(crawled: dict[str, Any]) -> None:
    for result in (crawled["first"], crawled["again"]):
        assert result.returncode == 0, result.stderr
    assert (
        f"{POSTS} posts ({POSTS} new, 0 changed, 0 unchanged), 0 errors" in crawled["first"].stdout
    )


def test_every_image_and_the_stylesheet_archived_once(crawled: dict[str, Any]) -> None:
    blog, img = crawled["blog"], crawled["img"]
    responses = Counter(
        uri for kind, uri, status in crawled["after_first"] if kind == "response" and status == 200
    )
    wanted = {u for n in range(1, POSTS + 1) for u in blog.fetched(n, img)}
    assert len(wanted) == 4 * POSTS
    assert {u: responses[u] for u in wanted} == dict.fromkeys(wanted, 1)
    # The theme stylesheet and the favicon every page names: fetched once per crawl; what
    # the stylesheet names (an import, backgrounds on either host) too, not its font.
    base = crawled["base"]
    for url in ("theme.css", "favicon.ico", "extra.css", "img/bg.png", "img/note.png"):
        assert responses[base + url] == 1, url
    assert responses[img + "img/pattern.png"] == 1
    assert not [r for r in crawled["after_first"] if r[1] == base + "fonts/x.woff2"]
    # The image host's own robots.txt was asked for, and obeyed; the "image" that is an HTML
    # page stopped at its headers; the sidebar and the comment avatar are not the post's.
    assert responses[img + "robots.txt"] == 1
    for left_out in ("private/secret.png", "img/page.png", "img/sidebar.png", "img/avatar.png"):
        assert not [r for r in crawled["after_first"] if r[1] == img + left_out], left_out


def test_items_list_their_images_in_document_order(crawled: dict[str, Any]) -> None:
    blog, img = crawled["blog"], crawled["img"]
    items = {item["url"]: item for item in read_items(crawled["data_dir"])}
    assert len(items) == POSTS
    for n in range(1, POSTS + 1):
        item = items[crawled["base"].rstrip("/") + blog.post_path(n)]
        listed = [(i["url"], i["alt"]) for i in item["images"]]
        assert listed[:3] == list(blog.images(n, img).items())
        # Post 1 also shows the two images that could not be archived.
        assert len(listed) == (5 if n == 1 else 3)


def test_recrawl_archives_unchanged_images_as_revisits(crawled: dict[str, Any]) -> None:
    blog, img = crawled["blog"], crawled["img"]
    second = records(crawled["data_dir"])[len(crawled["after_first"]) :]
    wanted = {u for n in range(1, POSTS + 1) for u in blog.fetched(n, img)}
    assert not [r for r in second if r[0] == "response" and r[1] in wanted]
    revisited = {uri for kind, uri, _ in second if kind == "revisit"}
    assert wanted <= revisited


def test_asset_records_verify_and_export_to_wacz(crawled: dict[str, Any], tmp_path: Path) -> None:
    verify = run_cli("verify", "--data-dir", str(crawled["data_dir"]))
    assert verify.returncode == 0, verify.stdout
    assert verify.stdout.startswith("verify: ok")
    out = tmp_path / "assets.wacz"
    export = run_cli("export", "--wacz", str(out), "--data-dir", str(crawled["data_dir"]))
    assert export.returncode == 0, export.stderr
    with zipfile.ZipFile(out) as wacz:
        index = "".join(
            wacz.read(name).decode("utf-8")
            for name in wacz.namelist()
            if name.startswith("indexes/")
        )
    for url in (crawled["img"] + "img/01-large.png", crawled["base"] + "theme.css"):
        assert f'"url": "{url}"' in index, url
