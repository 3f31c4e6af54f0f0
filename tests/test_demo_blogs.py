"""The fixture blogs and their loopback server: real HTTP, feeds, sitemaps, listings and truth;
the sample blog shipped for ``blogarchive demo`` is the generator's, byte for byte."""

from __future__ import annotations

import gzip
import http.client
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import Request, urlopen

import pytest
from lxml import etree
from lxml import html as lxml_html

from archive.records import PostRecord
from crawler.demo.server import accepts_gzip, normalize_target, sample_site
from tests.sites import Blog, BlogServer, Resource, blogger_blog, demo_blog, wordpress_blog
from tests.sites.render import stale

ROOT = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# -- helpers ---------------------------------------------------------------------------------


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """GET (or HEAD) a URL; returns status, headers and the raw (undecoded) body."""
    request = Request(url, headers=headers or {}, method=method)
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def get_ok(url: str) -> bytes:
    status, _, body = fetch(url)
    assert status == 200, url
    return body


def xml(url: str) -> etree._Element:
    return etree.fromstring(get_ok(url))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return normalize_target(parts.path + (f"?{parts.query}" if parts.query else ""))


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def same_origin_links(page_url: str, body: bytes) -> list[str]:
    """Links to the blog's pages (not to its full-size images, which Blogger's image blocks
    link to)."""
    doc = lxml_html.fromstring(body)
    origin = urlsplit(page_url).netloc
    out = []
    for href in doc.xpath("//a/@href"):
        absolute = urljoin(page_url, str(href)).split("#", 1)[0]
        if urlsplit(absolute).path.lower().endswith(IMAGE_SUFFIXES):
            continue
        if urlsplit(absolute).netloc == origin and absolute.startswith("http"):
            out.append(absolute)
    return out


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# -- a reference extractor, only to prove the truth is derivable from the markup -----------------

_STRIP = (
    ".//script | .//ins | .//style"
    f" | .//*[{has_class('kk-star-ratings')}] | .//*[starts-with(@class, 'yasr-')]"
    f" | .//*[@id='review'] | .//*[{has_class('sharedaddy')}] | .//*[{has_class('jump-link')}]"
)
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote"}


def _direct_text(el: Any) -> bool:
    return bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)


def reference_body(doc: Any) -> str:
    container = doc.xpath(
        f"(//div[{has_class('post-body')}] | //div[{has_class('entry-content')}]"
        " | //div[@class='thn_post_wrap'])[1]"
    )[0]
    for junk in container.xpath(_STRIP):
        junk.drop_tree()
    texts = []
    for el in container.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "pre":
            texts.append(el.text_content())
        elif el.tag in _BLOCKS or (el.tag == "div" and _direct_text(el)):
            text = " ".join(el.text_content().split())
            if text:
                texts.append(text)
    return "\n\n".join(texts)


def reference_tags(doc: Any) -> list[str]:
    scope = doc.xpath(f"(//*[{has_class('hentry')}])[1]")[0]
    links = scope.xpath(".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")
    return list(dict.fromkeys(" ".join(a.text_content().split()) for a in links))


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blogs() -> dict[str, Blog]:
    return {"demo": demo_blog(), "blogger": blogger_blog(), "wordpress": wordpress_blog()}


@pytest.fixture(scope="module")
def servers(blogs: dict[str, Blog]) -> Iterator[dict[str, BlogServer]]:
    with (
        BlogServer(blogs["demo"]) as d,
        BlogServer(blogs["blogger"]) as b,
        BlogServer(blogs["wordpress"]) as w,
    ):
        yield {"demo": d, "blogger": b, "wordpress": w}


NAMES = ("demo", "blogger", "wordpress")


# -- server ----------------------------------------------------------------------------------


def test_server_binds_loopback_and_serves_home(servers: dict[str, BlogServer]) -> None:
    for srv in servers.values():
        assert srv.url.startswith("http://127.0.0.1:")
        assert srv.url.endswith("/")
        status, headers, body = fetch(srv.url)
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        assert int(headers["Content-Length"]) == len(body)
        assert b"<html" in body


def test_gzip_only_when_accepted(servers: dict[str, BlogServer]) -> None:
    url = servers["blogger"].url + "feeds/posts/default"
    _, plain_headers, plain = fetch(url)
    assert "Content-Encoding" not in plain_headers
    _, headers, body = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) < len(plain)
    assert gzip.decompress(body) == plain
    _, refused, _ = fetch(url, {"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused


def test_accepts_gzip_parsing() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("deflate, gzip;q=0.5")
    assert accepts_gzip("*")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("br, deflate")
    assert not accepts_gzip(None)


def test_unknown_path_is_404_html(servers: dict[str, BlogServer]) -> None:
    status, headers, body = fetch(servers["demo"].url + "no/such/page.html")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert b"Not Found" in body


def test_head_sends_headers_only(servers: dict[str, BlogServer]) -> None:
    url = servers["demo"].url
    _, get_headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    status, headers, head_body = fetch(url, {"Accept-Encoding": "gzip"}, method="HEAD")
    assert status == 200
    assert head_body == b""
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(body))


def test_keep_alive_serves_several_requests_on_one_connection(
    servers: dict[str, BlogServer],
) -> None:
    srv = servers["demo"]
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        for path in ("/", "/robots.txt", "/feeds/posts/default"):
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 200
            assert response.version == 11
            response.read()
    finally:
        conn.close()


def test_robots_txt_points_at_sitemap(servers: dict[str, BlogServer]) -> None:
    for name, sitemap in (
        ("demo", "sitemap.xml"),
        ("blogger", "sitemap.xml"),
        ("wordpress", "wp-sitemap.xml"),
    ):
        srv = servers[name]
        text = get_ok(srv.url + "robots.txt").decode()
        assert f"Sitemap: {srv.url}{sitemap}" in text.splitlines()


def test_default_robots_for_plain_site() -> None:
    site = {
        "/": Resource(b"<html></html>", "text/html"),
        "/sitemap.xml": Resource(b"<urlset/>", "application/xml"),
    }
    with BlogServer(site) as srv:
        text = get_ok(srv.url + "robots.txt").decode()
        assert f"Sitemap: {srv.url}sitemap.xml" in text


def test_query_targets_are_normalized(
    servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    older = next(p for p in blogs["demo"].non_posts if "updated-max" in p)
    srv = servers["demo"]
    swapped = "/search?" + "&".join(reversed(older.split("?", 1)[1].split("&")))
    assert fetch(srv.url.rstrip("/") + older)[0] == 200
    assert fetch(srv.url.rstrip("/") + swapped.replace("%2B", "%2b"))[0] == 200


# -- feeds and sitemaps ------------------------------------------------------------------------


def _atom_pages(start: str) -> list[etree._Element]:
    pages, url = [], start
    while url:
        feed = xml(url)
        pages.append(feed)
        nxt = feed.find(f"{ATOM}link[@rel='next']")
        url = nxt.get("href") if nxt is not None else ""
    return pages


@pytest.mark.parametrize("name", ["demo", "blogger"])
def test_blogger_atom_feed_paginates_to_every_post(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers[name], blogs[name]
    pages = _atom_pages(srv.url + "feeds/posts/default")
    entries = [e for p in pages for e in p.findall(f"{ATOM}entry")]
    assert len(pages[0].findall(f"{ATOM}entry")) == min(25, len(blog.truth))
    assert len(pages) == -(-len(blog.truth) // 25)
    urls = [path_of(e.find(f"{ATOM}link[@rel='alternate']").get("href")) for e in entries]
    assert urls == blog.post_paths
    truth = {t["url"]: t for t in blog.truth}
    for entry, url in zip(entries, urls, strict=True):
        assert entry.findtext(f"{ATOM}published") == truth[url]["published"]
        assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == truth[url][
            "authors"
        ]
        assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == truth[url]["tags"]
        assert entry.findtext(f"{ATOM}author/{ATOM}email") == "noreply@blogger.com"


@pytest.mark.parametrize("name", ["demo", "blogger"])
def test_blogger_sitemap_index_lists_every_post(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers[name], blogs[name]
    index = xml(srv.url + "sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    locs = [
        path_of(loc.text or "")
        for sm in index.findall(f"{SM}sitemap")
        for loc in xml(sm.findtext(f"{SM}loc") or "").iter(f"{SM}loc")
    ]
    assert sorted(locs) == sorted(blog.post_paths)
    pages = xml(srv.url + "sitemap-pages.xml")
    assert [path_of(x.text or "") for x in pages.iter(f"{SM}loc")] == ["/p/about.html"]


def test_wordpress_rss_holds_newest_ten_with_dc_creator(
    servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers["wordpress"], blogs["wordpress"]
    rss = xml(srv.url + "feed/")
    items = rss.findall("channel/item")
    assert len(items) == 10
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    for item, truth in zip(items, blog.truth[:10], strict=True):
        assert path_of(item.findtext("link") or "") == truth["url"]
        assert [c.text for c in item.findall(dc)] == truth["authors"]
        assert [c.text for c in item.findall("category")] == truth["tags"]
    status, headers, _ = fetch(srv.url + "feed/")
    assert status == 200
    assert headers["Content-Type"].startswith("application/rss+xml")


def test_wordpress_sitemaps(servers: dict[str, BlogServer], blogs: dict[str, Blog]) -> None:
    srv, blog = servers["wordpress"], blogs["wordpress"]
    index = xml(srv.url + "wp-sitemap.xml")
    children = {path_of(x.text or ""): xml(x.text or "") for x in index.iter(f"{SM}loc")}
    assert set(children) == {
        "/wp-sitemap-posts-post-1.xml",
        "/wp-sitemap-posts-page-1.xml",
        "/wp-sitemap-taxonomies-category-1.xml",
        "/wp-sitemap-taxonomies-post_tag-1.xml",
        "/wp-sitemap-users-1.xml",
    }
    posts = [
        path_of(x.text or "") for x in children["/wp-sitemap-posts-post-1.xml"].iter(f"{SM}loc")
    ]
    assert posts == blog.post_paths
    non_posts = {normalize_target(p) for p in blog.non_posts}
    for name, tree in children.items():
        if name != "/wp-sitemap-posts-post-1.xml":
            assert {path_of(x.text or "") for x in tree.iter(f"{SM}loc")} <= non_posts


def test_wordpress_shortlink_redirects_to_permalink(
    servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers["wordpress"], blogs["wordpress"]
    page = get_ok(srv.url.rstrip("/") + blog.post_paths[0]).decode()
    shortlink = lxml_html.fromstring(page).xpath("//link[@rel='shortlink']/@href")[0]
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", urlsplit(shortlink).path + "?" + urlsplit(shortlink).query)
        response = conn.getresponse()
        response.read()
        assert response.status == 301
        assert response.getheader("Location") == srv.url.rstrip("/") + blog.post_paths[0]
    finally:
        conn.close()


# -- listings and reachability -----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_post_is_linked_from_the_listing_chain(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    """Walk same-origin ``<a>`` links from the home page through non-post pages only."""
    srv, blog = servers[name], blogs[name]
    posts = set(blog.post_paths)
    non_posts = {normalize_target(p) for p in blog.non_posts}
    assert not posts & non_posts
    seen, queue, linked = {"/"}, [srv.url], set()
    while queue:
        url = queue.pop()
        for link in same_origin_links(url, get_ok(url)):
            target = path_of(link)
            assert target in posts or target in non_posts, f"{target} linked from {url}"
            if target in posts:
                linked.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(link)
    assert linked == posts
    assert seen == non_posts


@pytest.mark.parametrize("name", NAMES)
def test_post_pages_are_served_and_link_only_to_known_pages(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers[name], blogs[name]
    known = set(blog.post_paths) | {normalize_target(p) for p in blog.non_posts}
    for path in blog.post_paths:
        url = srv.url.rstrip("/") + path
        status, headers, body = fetch(url)
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        for link in same_origin_links(url, body):
            assert path_of(link) in known, f"{link} on {path}"


@pytest.mark.parametrize("name", NAMES)
def test_older_posts_links_cover_home_pagination(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    srv, blog = servers[name], blogs[name]
    xpath = (
        f"//a[{has_class('blog-pager-older-link')}]/@href"
        if blog.platform == "blogger"
        else f"//*[{has_class('nav-previous')}]/a/@href"
    )
    url, pages, posts = srv.url, 0, []
    while url:
        doc = lxml_html.fromstring(get_ok(url))
        pages += 1
        title_links = doc.xpath(f"//*[{has_class('entry-title')}]//a/@href")
        posts += [path_of(h) for h in title_links]
        older = doc.xpath(xpath)
        url = str(older[0]) if older else ""
    assert posts == blog.post_paths
    assert pages > 1


# -- truth -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_truth_records_are_postrecord_dicts(name: str, blogs: dict[str, Blog]) -> None:
    blog = blogs[name]
    for record in blog.truth:
        assert record["url"].startswith("/")
        rebuilt = PostRecord.from_dict(record).to_dict()
        for key in ("site", "fetched_at", "warc"):
            del rebuilt[key]
        assert rebuilt == record
        assert record["authors"]
        assert record["title"]
        assert record["body"]
        assert record["published"]
    assert len({r["url"] for r in blog.truth}) == len(blog.truth)


@pytest.mark.parametrize("name", NAMES)
def test_truth_is_derivable_from_the_served_markup(
    name: str, servers: dict[str, BlogServer], blogs: dict[str, Blog]
) -> None:
    """A naive reference extractor recovers body and tags; dates, authors, ratings are in the markup."""
    srv, blog = servers[name], blogs[name]
    for record in blog.expected(srv.url):
        page = get_ok(record["url"])
        doc = lxml_html.fromstring(page)
        assert reference_body(lxml_html.fromstring(page)) == record["body"], record["url"]
        assert reference_tags(doc) == record["tags"], record["url"]
        titles = doc.xpath(f"//*[{has_class('entry-title')}]")
        assert " ".join(titles[0].text_content().split()) == record["title"]
        assert doc.xpath("/html/@lang") == [record["language"]]
        assert doc.xpath("//link[@rel='canonical']/@href") == [record["canonical_url"]]
        text = page.decode()
        assert record["published"] in text
        for author in record["authors"]:
            assert author in text
        rating = record["rating"]
        if rating is None:
            assert "ratingValue" not in text
        else:
            assert f"{rating['value']:g}" in text


def test_demo_blog_contents(blogs: dict[str, Blog]) -> None:
    blog = blogs["demo"]
    assert len(blog.truth) == 12
    seed = next(t for t in blog.truth if t["authors"] == ["Hosne"] and "Xiaomi" in t["title"])
    assert seed["url"] == "/2019/03/why-xiaomi-does-not-sell-its-smartphones.html"
    assert seed["published"] == "2019-03-02T11:53:00+06:00"
    assert seed["rating"] == {
        "value": 5.0,
        "best": 5.0,
        "worst": 1.0,
        "count": None,
        "normalized": 1.0,
        "kind": "review",
        "source": "microdata",
    }
    paragraphs = seed["body"].split("\n\n")
    assert len(paragraphs) == len(set(paragraphs)) == 9
    assert "flagship killer" in seed["body"]
    assert sum("flagship killer" in t["body"] for t in blog.truth) == 1
    assert sum("xiaomi" in t["body"].lower() for t in blog.truth) >= 1
    assert {t["authors"][0] for t in blog.truth} == {
        "Hosne",
        "Mei Tanaka",
        "Carlos Correia",
        "Daniel Okafor",
    }
    assert "/p/about.html" in blog.non_posts


def test_page_shapes_all_present(blogs: dict[str, Blog]) -> None:
    b = blogs["blogger"].resources("http://127.0.0.1:9/")
    pages = b"".join(r.body for k, r in b.items() if k.endswith(".html"))
    for marker in (
        b"g:type='RatingPanel'",
        b"Publicada por",
        b"published timeago",
        b"class='hreview'",
        b"itemprop='review'",
        b"5-star.png",
        b"createSummaryAndThumb",
        b"g-profile",
    ):
        assert marker in pages, marker
    w = wordpress_blog().resources("http://127.0.0.1:9/")
    pages = b"".join(r.body for r in w.values())
    for marker in (
        b"yoast-schema-graph",
        b"yasr-rater-stars-vv",
        b"View all posts by",
        b"kksr-legend",
        b"CreativeWorkSeries",
        b"review-wrapper",
        b'"aggregateRating"',
        b"comment-author vcard",
        b"WordPress 6.",
        b"next page-numbers",
    ):
        assert marker in pages, marker


def test_ratings_follow_markup_rules(blogs: dict[str, Blog]) -> None:
    ratings = [
        t["rating"] for t in blogs["wordpress"].truth + blogs["blogger"].truth if t["rating"]
    ]
    kinds = {(r["best"], r["worst"], r["kind"], r["source"]) for r in ratings}
    assert (5.0, 0.0, "aggregate", "yasr") in kinds  # YASR (markup.md §3.2)
    assert (5.0, 1.0, "aggregate", "jsonld") in kinds  # kk Star Ratings
    assert (5.0, 0.0, "review", "jsonld") in kinds  # WP Review star
    assert (10.0, 0.0, "review", "jsonld") in kinds  # WP Review point
    assert (5.0, 1.0, "review", "microdata") in kinds  # Blogger B1
    assert (5.0, 1.0, "review", "hreview") in kinds  # Blogger B2


# -- determinism and the subprocess mode ----------------------------------------------------------


def test_generators_are_deterministic() -> None:
    a, b = blogger_blog(30, seed=5), blogger_blog(30, seed=5)
    assert a.truth == b.truth
    assert a.non_posts == b.non_posts
    assert a.resources("http://127.0.0.1:1/") == b.resources("http://127.0.0.1:1/")
    assert blogger_blog(30, seed=6).truth != a.truth
    assert wordpress_blog(20).resources("http://x/") == wordpress_blog(20).resources("http://x/")
    assert demo_blog().truth == demo_blog().truth
    assert json.dumps(demo_blog().truth, sort_keys=True) == json.dumps(
        demo_blog().truth, sort_keys=True
    )


def test_shipped_sample_site_is_up_to_date() -> None:
    """``crawler/demo/site/`` is what the generator renders now (else: ``python -m
    tests.sites.render``), and the product serves it exactly as the generator would."""
    assert stale() == []
    url = "http://127.0.0.1:8123/"
    assert sample_site(url) == demo_blog().resources(url)


def test_subprocess_mode_prints_url_and_stops_on_sigterm() -> None:
    cmd = [sys.executable, "-m", "crawler.demo.server"]
    with subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            assert url.endswith("/")
            assert b"Byte Sized Tech" in get_ok(url)
            assert f"Sitemap: {url}sitemap.xml" in get_ok(url + "robots.txt").decode()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
            assert proc.stderr is not None
            assert proc.stderr.read() == ""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
