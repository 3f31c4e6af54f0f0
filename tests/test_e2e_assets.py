"""End to end: a crawl with page requisites on (issue 16).

A fixture blog on 127.0.0.1 whose 30 posts each show three images (plain, lazy
``data-src``, ``srcset``) served by another host (``localhost``, see
:mod:`tests.sites.assets`), plus a theme stylesheet: every image and the stylesheet are
archived, each once, items list their images, robots.txt and the type filter hold on the
image host; recrawls write no second copy of an unchanged image (revisits by digest or
after a 304, nothing while fresh); verify and the WACZ export take the asset records.
"""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from starlette.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from archive.web import create_app
from archive.web.posts import post_id
from archive.web.security import allowed_hosts
from tests.conftest import LOOPBACK, free_port, read_items, run_cli
from tests.sites import BlogServer
from tests.sites.assets import IMAGE_HOST, STALE, AssetBlog

POSTS = 30


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
    crawl = ["crawl", "--url", base, "--data-dir", str(data_dir), *LOOPBACK]
    runs, split = [], []
    try:
        # 1: everything; 2: every post fetched and parsed again, no conditional requests,
        # no freshness: the images come again, unchanged; 3: every post again, the assets
        # fresh; 4: post 1 edited, conditional requests: its images answer 304.
        for settings in (
            [],
            ["INCREMENTAL_ENABLED=False", "ARCHIVE_CONDITIONAL_ENABLED=False"],
            ["INCREMENTAL_REVALIDATE_ALL=True", "ARCHIVE_CONDITIONAL_ENABLED=False"],
            ["INCREMENTAL_ENABLED=False"],
        ):
            if len(runs) == 3:
                page = site.resource(blog.post_path(1))
                edited = page.body.replace(b"<p>word0 ", b"<p>edited word0 ", 1)
                site.update(blog.post_path(1), replace(page, body=edited))
            runs.append(run_cli(*crawl, *(a for s in settings for a in ("-s", s))))
            split.append(len(records(data_dir)))
        everything = records(data_dir)
        crawls = [everything[a:b] for a, b in zip([0, *split], split, strict=False)]
        yield {
            "blog": blog,
            "base": base,
            "img": img,
            "data_dir": data_dir,
            "runs": runs,
            "crawls": crawls,
            "first": runs[0],
            "after_first": crawls[0],
        }
    finally:
        site.stop()
        images.stop()


def test_crawls_succeed(crawled: dict[str, Any]) -> None:
    for result in crawled["runs"]:
        assert result.returncode == 0, result.stderr
    summary = crawled["first"].stdout
    assert f"{POSTS} posts ({POSTS} new, 0 changed, 0 unchanged), 0 errors" in summary
    # Assets are counted apart from pages: the 4 images of each post, both stylesheets,
    # their 3 background images and the favicon.
    assert f", {4 * POSTS + 6} assets, " in summary


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


def record_at(data_dir: Path, warc: dict[str, Any]) -> tuple[str, str, str, bytes]:
    """(type, target URI, record id, payload) of the record a pointer names."""
    with (data_dir / "warc" / warc["filename"]).open("rb") as stream:
        stream.seek(warc["offset"])
        record = next(iter(ArchiveIterator(stream)))
        return (
            record.rec_type,
            record.rec_headers.get_header("WARC-Target-URI"),
            record.rec_headers.get_header("WARC-Record-ID"),
            record.content_stream().read(),
        )


def test_items_list_their_archived_images_with_warc_pointers(crawled: dict[str, Any]) -> None:
    blog, img, data_dir = crawled["blog"], crawled["img"], crawled["data_dir"]
    first = read_items(data_dir)[:POSTS]  # the first crawl's lines
    items = {item["url"]: item for item in first}
    assert len(items) == POSTS
    pointed = 0
    for n in range(1, POSTS + 1):
        item = items[crawled["base"].rstrip("/") + blog.post_path(n)]
        listed = [(i["url"], i["alt"]) for i in item["images"]]
        assert listed[:3] == list(blog.images(n, img).items())
        # Each archived image points at its own response record, which holds its bytes.
        for image in item["images"][:3]:
            kind, uri, record_id, payload = record_at(data_dir, image["warc"])
            assert (kind, uri, record_id) == ("response", image["url"], image["warc"]["record_id"])
            assert payload.startswith(b"\x89PNG")
            pointed += 1
        # Post 1 also shows the two images that could not be archived: no pointer.
        assert len(listed) == (5 if n == 1 else 3)
        assert all("warc" not in image for image in item["images"][3:])
    assert pointed == 3 * POSTS


def test_recrawls_write_no_second_copy_of_an_unchanged_image(crawled: dict[str, Any]) -> None:
    blog, img = crawled["blog"], crawled["img"]
    wanted = {u for n in range(1, POSTS + 1) for u in blog.fetched(n, img)}
    again, fresh, edited = crawled["crawls"][1:]
    # Fetched again in full: each a revisit (same payload digest), no second response.
    assert not [r for r in again if r[0] == "response" and r[1] in wanted]
    assert wanted <= {uri for kind, uri, _ in again if kind == "revisit"}
    # Every post parsed again, but the assets are fresh: not even asked for; but for the
    # one whose Cache-Control says max-age=0, asked again (unchanged: a revisit).
    stale = img + STALE.lstrip("/")
    assert {uri for _, uri, _ in fresh} & (wanted | {crawled["base"] + "theme.css"}) == {stale}
    assert {(kind, status) for kind, uri, status in fresh if uri == stale} == {
        ("request", None),
        ("revisit", 200),
    }
    assert f"{POSTS} unchanged" in crawled["runs"][2].stdout  # parsed, as unchanged
    # The edited post is a new version; its images, asked conditionally, answered 304:
    # server-not-modified revisits (no HTTP headers of their own).
    assert "1 changed" in crawled["runs"][3].stdout
    post_1 = blog.fetched(1, img)
    assert {record for record in edited if record[1] in post_1} == {
        (kind, uri, None) for uri in post_1 for kind in ("request", "revisit")
    }
    # Its new line points its images at the one copy of each, from the first crawl.
    lines = read_items(crawled["data_dir"])
    assert len(lines) == POSTS + 1
    assert lines[-1]["version"] == 2
    first = next(i for i in lines if i["url"] == lines[-1]["url"])
    assert [i["warc"] for i in lines[-1]["images"][:3]] == [i["warc"] for i in first["images"][:3]]


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


def test_the_web_ui_shows_a_post_with_its_archived_images_and_styles(
    crawled: dict[str, Any],
) -> None:
    """The capture view points the post's images and stylesheet at the UI's captures of
    them, which serve the archived bytes with their type; nothing names the blog's hosts."""
    blog, base = crawled["blog"], crawled["base"]
    app = create_app(crawled["data_dir"], allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        url = base.rstrip("/") + blog.post_path(2)
        view = client.get(f"/api/posts/{post_id(url)}").json()["captures"][0]["view"]
        raw = client.get(view + "/raw")
        page = lxml.html.fromstring(raw.content)
        sources = [img.get("src") for img in page.iter("img") if img.get("src")]
        sheets = [link.get("href") for link in page.iter("link") if link.get("href")]
        assert len(sources) == 3  # the sidebar and avatar images were never archived
        assert len(sheets) == 1  # the theme (the favicon is /favicon.ico, not linked)
        assert all(u.startswith("/captures/") for u in [*sources, *sheets])
        for src in sources:
            image = client.get(src)
            assert image.headers["content-type"] == "image/png"
            assert image.content.startswith(b"\x89PNG")
        css = client.get(sheets[0])
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        assert css.text.count('url("/captures/') == 3  # import, both backgrounds
        assert 'url("data:,")' in css.text  # the font, never archived
    for name in ("src", "srcset", "href"):
        named = [el.get(name) or "" for el in page.iter("img", "link", "source")]
        assert not [u for u in named if "://" in u or u.startswith("//")], name
