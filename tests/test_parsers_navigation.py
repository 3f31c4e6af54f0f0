"""crawler.parsers.navigation: feeds, sitemaps, robots.txt and listing pages → links."""

from __future__ import annotations

import gzip

import pytest

from crawler.parsers import GenericPage, navigation
from crawler.parsers.navigation import (
    Links,
    clean_url,
    feed_links,
    is_dated_post_path,
    robots_sitemaps,
    sitemap_links,
)

BASE = "http://127.0.0.1:8000/"


def html_links(url: str, html: bytes) -> Links:
    """A page's links, as the crawl reads them: from its page object's tree."""
    return GenericPage(url, html).links()


ATOM = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'>
<link rel='next' type='application/atom+xml' href='http://127.0.0.1:8000/feeds/posts/default?start-index=26&amp;max-results=25'/>
<entry><id>tag:blogger.com,1999:blog-1.post-2</id>
<link rel='replies' type='text/html' href='http://127.0.0.1:8000/2019/03/a.html#comment-form'/>
<link rel='edit' type='application/atom+xml' href='http://www.blogger.com/feeds/1/posts/default/2'/>
<link rel='alternate' type='text/html' href='http://127.0.0.1:8000/2019/03/a.html' title='A'/>
<author><name>Mike</name><email>noreply@blogger.com</email></author></entry>
</feed>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>t</title><link>http://127.0.0.1:8000/</link>
<item><title>One</title><link>http://127.0.0.1:8000/2020/01/02/one/</link><dc:creator>Jane</dc:creator></item>
<item><title>Two</title><link> http://127.0.0.1:8000/2020/01/03/two/ </link></item>
</channel></rss>"""


def test_atom_feed_entries_and_next_page() -> None:
    links = feed_links(BASE + "feeds/posts/default", ATOM)
    assert links.posts == ["http://127.0.0.1:8000/2019/03/a.html"]
    assert links.pages == [
        "http://127.0.0.1:8000/feeds/posts/default?start-index=26&max-results=25"
    ]


def test_rss_feed_items() -> None:
    links = feed_links(BASE + "feed/", RSS)
    assert links.posts == [
        "http://127.0.0.1:8000/2020/01/02/one/",
        "http://127.0.0.1:8000/2020/01/03/two/",
    ]


def test_malformed_and_hostile_xml_gives_what_it_can() -> None:
    assert feed_links(BASE, b"").posts == []
    assert feed_links(BASE, b"<html><body>not a feed").posts == []
    truncated = RSS[: RSS.index(b"<item><title>Two")]
    assert feed_links(BASE, truncated).posts == ["http://127.0.0.1:8000/2020/01/02/one/"]
    entity = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>'
    assert all("root:" not in u for u in sitemap_links(BASE, entity).posts)


def test_sitemap_index_and_urlset() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>http://127.0.0.1:8000/wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>"""
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>http://127.0.0.1:8000/2020/01/02/one/</loc><lastmod>2020-01-02</lastmod></url></urlset>"""
    assert sitemap_links(BASE, index).sitemaps == [
        "http://127.0.0.1:8000/wp-sitemap-posts-post-1.xml"
    ]
    assert sitemap_links(BASE, urlset).posts == ["http://127.0.0.1:8000/2020/01/02/one/"]
    assert sitemap_links(BASE, gzip.compress(urlset)).posts == [
        "http://127.0.0.1:8000/2020/01/02/one/"
    ]


def test_robots_sitemap_lines() -> None:
    body = b"User-agent: *\nDisallow: /search\nSitemap: http://127.0.0.1:8000/sitemap.xml\nsitemap: /other.xml\n"
    assert robots_sitemaps(BASE + "robots.txt", body) == [
        "http://127.0.0.1:8000/sitemap.xml",
        "http://127.0.0.1:8000/other.xml",
    ]


def test_listing_page_links() -> None:
    page = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/feed/"></head><body>
    <article><h2 class="entry-title"><a href="/hello-world/" rel="bookmark">Hello</a></h2></article>
    <a href="/2019/03/dated.html#comments">dated</a>
    <a href="/about/">about</a>
    <a class="blog-pager-older-link" href="/search?updated-max=2019-03-01T00:00:00Z&amp;max-results=7">Older Posts</a>
    <div class="nav-previous"><a href="/page/2/">Older posts</a></div>
    </body></html>"""
    links = html_links(BASE, page)
    assert links.posts == [
        "http://127.0.0.1:8000/hello-world/",
        "http://127.0.0.1:8000/2019/03/dated.html",
    ]
    assert "http://127.0.0.1:8000/page/2/" in links.pages
    assert (
        "http://127.0.0.1:8000/search?updated-max=2019-03-01T00:00:00Z&max-results=7" in links.pages
    )
    assert "http://127.0.0.1:8000/about/" not in links.pages
    assert links.feeds == ["http://127.0.0.1:8000/feed/"]


@pytest.mark.parametrize(
    "markup",
    [
        '<a rel="external bookmark" href="/p/">P</a>',
        '<h3 class="post-title entry-title"><span><a href="/p/">P</a></span></h3>',
        '<div class="entry-title"><a href="/p/">P</a></div>',
        "<article><header><h2><a href='/p/'>P</a></h2></header></article>",
    ],
)
def test_each_post_link_signal_alone(markup: str) -> None:
    links = html_links(
        BASE, f"<html><body><a href='/about/'>About</a>{markup}</body></html>".encode()
    )
    assert links.posts == ["http://127.0.0.1:8000/p/"]
    assert "http://127.0.0.1:8000/about/" in links.other


@pytest.mark.parametrize(
    "markup",
    [
        '<a rel="next" href="/n/">2</a>',
        '<a class="btn next" href="/n/">2</a>',
        '<a class="blog-pager-older-link" href="/n/"><img alt=""></a>',
        '<div class="nav-links nav-previous"><span><a href="/n/">Earlier</a></span></div>',
        '<a href="/n/"> Older <b>posts</b> » </a>',
        '<a href="/n/">›</a>',
    ],
)
def test_each_next_page_signal_alone(markup: str) -> None:
    head = "<link rel='next' href='/head-next/'>" if "rel=" in markup else ""
    page = f"<html><head>{head}</head><body><a href='/about/'>About</a>{markup}</body></html>"
    links = html_links(BASE, page.encode())
    assert "http://127.0.0.1:8000/n/" in links.pages
    assert "http://127.0.0.1:8000/about/" not in links.pages
    if head:  # a <link rel=next> counts too, in document order
        assert links.pages[:2] == ["http://127.0.0.1:8000/head-next/", "http://127.0.0.1:8000/n/"]


def test_a_title_class_on_the_link_itself_is_not_a_container() -> None:
    """As the XPath it replaced (``//*[…post-title…]//a``): links inside the element."""
    page = b"<html><body><a class='post-title' href='/x/'>X</a></body></html>"
    assert html_links(BASE, page).posts == []


def test_url_helpers() -> None:
    assert clean_url("http://h/a.html#comments") == "http://h/a.html"
    assert clean_url("http://h") == "http://h/"
    assert is_dated_post_path("http://h/2019/03/x.html")
    assert is_dated_post_path("http://h/2019/03/02/x/")
    assert not is_dated_post_path("http://h/2019/03/")
    assert not is_dated_post_path("http://h/p/about.html")


BASES = [
    "http://127.0.0.1:8000/2019/03/a.html?m=1#x",
    "https://blog.example/a/b/c/",
    "http://user:pw@blog.example:8080/p?q=1",
    "HTTP://Blog.Example/Index.HTML",
]
HREFS = [
    "/2019/03/b.html",
    "/a/../b/./c?d=1#e",
    "/",
    "//cdn.example/x.js",
    "//127.0.0.1:8000/y",
    "http://127.0.0.1:8000/2019/03/a.html?",
    "https://blog.example/a/b/../c#top",
    "http://other.example",
    "https://blog.example:443/x;params?y",
    "/%7Euser/caf%C3%A9",
    "/ space in path",
    "http://[oops/",
]


@pytest.mark.parametrize("base", BASES)
def test_rooted_links_join_as_urljoin_does(base: str) -> None:
    """Rooted and absolute links are joined once per site (cached), exactly as urljoin does."""
    root = navigation._root(base)
    assert root
    for href in HREFS:
        assert navigation._join_rooted(root, href) == navigation.urljoin(base, href), href


def test_links_of_a_page_are_the_same_from_cache() -> None:
    page = b'<a href="/2019/03/b.html">b</a><a href="http://127.0.0.1:8000/2019/04/c.html">c</a>'
    first = html_links(BASE + "2019/03/a.html", page).posts
    again = html_links(BASE + "2020/01/other.html", page).posts
    expected = ["http://127.0.0.1:8000/2019/03/b.html", "http://127.0.0.1:8000/2019/04/c.html"]
    assert first == again == expected


def test_feed_entries_carry_authors_and_dates() -> None:
    """RSS dc:creator / author ("mail (Name)") and pubDate; Atom's feed-level author."""
    rss = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><item><link>https://b.example/a/</link><dc:creator><![CDATA[Jane Roe]]></dc:creator>
    <pubDate>Wed, 03 Mar 2021 10:00:00 +0000</pubDate></item>
    <item><link>https://b.example/b/</link><author>jo@b.example (Jo Doe)</author></item>
    <item><link>https://b.example/c/</link><author>noreply@b.example</author></item>
    </channel></rss>"""
    links = feed_links("https://b.example/feed/", rss)
    entries = {url: (e.authors, e.published) for url, e in links.entries.items()}
    assert entries == {
        "https://b.example/a/": (("Jane Roe",), "2021-03-03T10:00:00+00:00"),
        "https://b.example/b/": (("Jo Doe",), None),
        "https://b.example/c/": ((), None),  # an address is no name
    }
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><author><name>Site Owner</name></author>
    <entry><link href="https://b.example/x/"/><updated>2014-10-15T10:00:00+01:00</updated></entry>
    <entry><link href="https://b.example/y/"/><author><name>Guest</name></author>
    <published>2015-01-02</published></entry></feed>"""
    links = feed_links("https://b.example/atom.xml", atom)
    assert links.feed_authors == ("Site Owner",)
    assert links.entries["https://b.example/x/"].authors == ("Site Owner",)
    assert links.entries["https://b.example/x/"].published == "2014-10-15T10:00:00+01:00"
    assert links.entries["https://b.example/y/"].authors == ("Guest",)


def test_other_links_are_pages_not_files() -> None:
    html = b"""<a href="/blog">Blog</a><a href="/about.html">About</a><a href="/a.png">img</a>
    <a href="/feed.xml">feed</a><a href="/notes/python-3.11">notes</a><a href="mailto:x@y">m</a>
    <a href="/files/report.pdf">pdf</a>"""
    other = html_links("https://b.example/", html).other
    assert other == [
        "https://b.example/blog",
        "https://b.example/about.html",
        "https://b.example/notes/python-3.11",
    ]
