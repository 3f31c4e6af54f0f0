"""Unit tests: platform detection, decoding, malformed input, NotAPost, precedence, body text."""

from __future__ import annotations

import codecs

import pytest

from crawler.parsers import (
    FEED_PROBES,
    PAGE_CLASSES,
    PLATFORMS,
    SITEMAP_PROBES,
    BloggerPage,
    GenericPage,
    NotAPost,
    PostPage,
    detect_platform,
    parse_post,
)
from crawler.parsers.decoding import decode_html
from crawler.parsers.dom import make_soup, select_one
from crawler.parsers.text import render_body

POST = "<p>" + "A paragraph of real post text that is long enough to count. " * 8 + "</p>"


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<meta name="generator" content="Blogger">', None, "blogger"),
        ("<meta content='blogger' name='generator'/>", None, "blogger"),
        ('<meta name="generator" content="WordPress 6.4">', None, "wordpress"),
        ('<link rel="stylesheet" href="/wp-content/themes/x/style.css">', None, "wordpress"),
        ('<link rel="https://api.w.org/" href="https://x/wp-json/">', None, "wordpress"),
        ('<meta name="generator" content="Ghost 5.75">', None, "ghost"),
        ('<meta name="generator" content="Hugo 0.121.1">', None, "hugo"),
        ("<!-- Begin Jekyll SEO tag v2.8.0 -->", None, "jekyll"),
        ('<link rel="preconnect" href="https://substackcdn.com">', None, "substack"),
        ('<meta property="al:android:package" content="com.medium.reader">', None, "medium"),
        ('<article id="article-show-container" data-author-name="Luna">', None, "devto"),
        ("<p>hello</p>", "https://someone.blogspot.com/2020/01/x.html", "blogger"),
        ("<p>hello</p>", "https://someone.blogspot.co.uk/2020/01/x.html", "blogger"),
        ("<p>hello</p>", "https://dev.to/luna/a-post-1abc", "devto"),
        ("<p>hello</p>", "https://jane.substack.com/p/a-post", "substack"),
        ("<p>hello</p>", "https://medium.com/@jane/a-post-123", "medium"),
        ("<p>hello</p>", "https://jane.medium.com/a-post-123", "medium"),
        ("<p>hello</p>", "https://notmedium.com/a-post", "generic"),
        # Fingerprints, strongest first: WordPress markup wins over Medium's images in it.
        (
            '<img src="https://miro.medium.com/x.png"><link href="/wp-includes/x.css">',
            None,
            "wordpress",
        ),
        ("<p>hello</p>", "https://example.org/x", "generic"),
        # Prose is no fingerprint: "aforementioned" holds "forem", Forem's (dev.to's) name.
        ("<p>Using the aforementioned method, we win.</p>", "https://example.org/x", "generic"),
        ('<meta name="forem:domain" content="dev.to">', None, "devto"),
        (b"\xff\xfe\x00garbage", None, "generic"),
    ],
)
def test_detect_platform(html: str | bytes, url: str | None, expected: str) -> None:
    assert detect_platform(html, url) == expected


def test_page_classes_cover_every_platform() -> None:
    assert set(PAGE_CLASSES) == {
        "blogger",
        "wordpress",
        "ghost",
        "medium",
        "substack",
        "devto",
        "hugo",
        "jekyll",
        "generic",
    }
    assert all(issubclass(cls, PostPage) for cls in PAGE_CLASSES.values())
    assert all(cls.platform == name for name, cls in PAGE_CLASSES.items())
    assert tuple(PAGE_CLASSES) == PLATFORMS
    assert list(PAGE_CLASSES)[-1] == "generic"  # the fallback, tried last


def test_probes_are_every_platforms_feed_and_sitemap_paths() -> None:
    """Asked for on every blog; the set the crawl probed before platforms declared them."""
    assert set(FEED_PROBES) == {
        "/feed.xml",
        "/atom.xml",
        "/rss.xml",
        "/index.xml",
        "/feed/",
        "/rss/",
        "/feeds/posts/default",
    }
    assert SITEMAP_PROBES == ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml")
    assert len(FEED_PROBES) == len(set(FEED_PROBES))


def test_decode_cp1252_declared_in_meta() -> None:
    data = '<meta charset="windows-1252"><p>café “quoted”</p>'.encode("cp1252")
    assert "café “quoted”" in decode_html(data)


def test_decode_http_equiv_latin1_means_cp1252() -> None:
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">\x93x\x94'
    assert decode_html(data).endswith("“x”")


def test_decode_without_charset_detects_utf8_then_cp1252() -> None:
    assert decode_html("naïve".encode()) == "naïve"
    assert decode_html(b"caf\xe9 \x93quoted\x94") == "café “quoted”"


def test_decode_declared_utf8_that_is_really_cp1252() -> None:
    page = b'<meta charset="utf-8"><p>caf\xe9 \x93quoted\x94</p>'
    assert decode_html(page).endswith("<p>café “quoted”</p>")
    mixed = '<meta charset="utf-8"><p>naïve '.encode() + b"\x93quoted\x94</p>"
    assert decode_html(mixed).endswith("<p>naïve “quoted”</p>")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_decode_bom_wins_over_meta(bom: bytes, codec: str) -> None:
    data = bom + '<meta charset="iso-8859-1"><p>Grüße</p>'.encode(codec)
    assert "Grüße" in decode_html(data)


def test_explicit_encoding_is_used() -> None:
    record = parse_post(
        "https://example.org/a",
        f"<article><h1>Ñandú</h1>{POST}</article>".encode("cp1252"),
        platform="generic",
        encoding="cp1252",
    )
    assert record.title == "Ñandú"


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"\x00\x01\x02",
        "<html><body><div><p>unclosed <b>bold",
        "<article><h1>T</h1>" + POST + "<div><span",
        "<" * 50,
        "<p>" * 3000 + "deep",
    ],
)
def test_malformed_html_never_crashes(html: str | bytes) -> None:
    """Every page class either returns a record or raises NotAPost with a reason."""
    for cls in PAGE_CLASSES.values():
        page = cls("https://example.org/2020/01/x.html", html)
        reason = page.not_a_post_reason()
        assert reason is None or reason
        assert isinstance(page.extract().body, str)


def test_truncated_post_still_parses() -> None:
    html = f'<html><head><meta property="og:type" content="article"><title>T</title>{POST}'
    record = parse_post("https://example.org/t", html[: len(html) - 40], platform="generic")
    assert record.body.startswith("A paragraph of real post text")


LISTING = "".join(
    f'<article class="post"><h2><a href="/p{i}">P{i}</a></h2>{POST}</article>' for i in range(3)
)


@pytest.mark.parametrize(
    ("url", "html", "platform", "reason"),
    [
        ("https://example.org/", LISTING, "generic", "listing"),
        (
            "https://b.blogspot.com/",
            (
                '<meta name=generator content=Blogger><div class="post-body">'
                "a</div><div class='post-body'>b</div>"
            ),
            "auto",
            "Blogger post URL",
        ),
        (
            "https://b.blogspot.com/2020/01/x.html",
            "<div class='post-body'>a</div><div class='post-body'>b</div>",
            "blogger",
            "2 post bodies",
        ),
        (
            "https://b.blogspot.com/search/label/X",
            "<body class='label-view'>",
            "blogger",
            "listing",
        ),
        (
            "https://wp.example/category/x/",
            f"<body class='archive category'>{POST}",
            "wordpress",
            "archive",
        ),
        ("https://wp.example/nope", "<title>Page not found</title><p>Sorry</p>", "generic", "404"),
        ("https://x.example/", "<p>short</p>", "generic", "no article markup"),
    ],
)
def test_not_a_post(url: str, html: str, platform: str, reason: str) -> None:
    with pytest.raises(NotAPost, match=reason):
        parse_post(url, html, platform=platform)


@pytest.mark.parametrize(
    ("url", "html", "platform", "kind"),
    [
        (
            "https://b.blogspot.com/p/about.html",
            "<div class='post-body'>a</div>",
            "blogger",
            "page",
        ),
        ("https://wp.example/about/", f"<body class='page page-id-2'>{POST}", "wordpress", "page"),
        ("https://x.example/about/", f"<h1>About</h1>{POST}", "generic", "page"),
        ("https://x.example/2021/03/hello/", f"<h1>Hello</h1>{POST}", "generic", "post"),
    ],
)
def test_static_pages_are_items_of_kind_page(url: str, html: str, platform: str, kind: str) -> None:
    """Standalone pages are archived too, told apart from posts by their kind."""
    assert parse_post(url, html, platform=platform).kind == kind


def test_several_jsonld_articles_do_not_make_a_listing() -> None:
    """Article pages list their related posts in JSON-LD too (a TechCrunch article page)."""
    blocks = "".join(
        f'<script type="application/ld+json">{{"@type":"BlogPosting","headline":"P{i}"}}</script>'
        for i in range(2)
    )
    assert parse_post("https://x.example/a", blocks + POST, platform="generic").body


PRECEDENCE = f"""<html><head><meta name="generator" content="Blogger">
<meta name="author" content="Blog Team"><title>Blog: My post</title></head><body>
<div class="sidebar"><article>{POST}{POST}{POST}</article></div>
<div class="widget Blog" id="Blog1"><div class="post hentry"><h3 class="post-title">My post</h3>
<div class="pS postBody" id="postBody"><p>Short real body.</p></div>
<div class="post-footer"><span class="post-author">Posted by <span>Hosne</span></span></div>
</div></div></body></html>"""


def test_platform_page_wins_over_generic() -> None:
    url = "https://b.blogspot.com/2020/01/my-post.html"
    generic = GenericPage(url, PRECEDENCE).extract()
    blogger = parse_post(url, PRECEDENCE)
    assert generic.authors == ["Blog Team"]
    assert generic.body != "Short real body."
    assert blogger.platform == "blogger"
    assert blogger.authors == ["Hosne"]
    assert blogger.body == "Short real body."
    # Generic rules alone see no post here (a 16-character body and no heading of its own).
    assert GenericPage(url, PRECEDENCE).page_kind.kind == "listing"
    assert isinstance(PAGE_CLASSES["blogger"](url, PRECEDENCE), BloggerPage)


def test_unknown_platform_override_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown platform"):
        parse_post("https://x/", "<p>x</p>", platform="tumblr")


def test_page_parses_html_once() -> None:
    page = BloggerPage("https://b.blogspot.com/2020/01/my-post.html", PRECEDENCE)
    page.to_item()
    assert page.soup is page.soup
    assert page.jsonld is page.jsonld


def _body(html: str) -> str:
    soup = make_soup(f"<div id=c>{html}</div>")
    return render_body(select_one(soup, "#c"))


def test_body_blocks_become_paragraphs() -> None:
    html = (
        "<p>One  \n two</p><div>Three<br>Four</div><ul><li>a</li><li>b</li></ul>"
        "<table><tr><td>x</td><td>y</td></tr></table><h2>Head</h2>"
    )
    assert _body(html) == "One two\n\nThree\n\nFour\n\na\n\nb\n\nx y\n\nHead"


def test_body_pre_keeps_newlines() -> None:
    assert _body("<p>Run:</p><pre>  a\n  b\n</pre>") == "Run:\n\n  a\n  b"


def test_body_drops_long_duplicates_only() -> None:
    long = "This paragraph is repeated by the template and is long."
    assert _body(f"<p>{long}</p><p>Yes</p><p>{long}</p><p>Yes</p>") == f"{long}\n\nYes\n\nYes"


@pytest.mark.parametrize(
    "junk",
    [
        "<script>createSummaryAndThumb('s1')</script>",
        "<style>p{}</style>",
        "<ins class='adsbygoogle'></ins>",
        "<div class='sharedaddy'>Share this</div>",
        "<div class='kk-star-ratings'>4.3/5</div>",
        "<div class='yasr-rater-stars'>x</div>",
        "<div id='review' class='review-wrapper'>9</div>",
        "<div class='wppr-c100'>8</div>",
        "<div class='gdrts-rating-text'>Rating</div>",
        "<div class='glsr-stars'>x</div>",
        "<div class='hreview'>rev</div>",
        "<span class='star-ratings'>x</span>",
        "<div>Reviewed by <b>Hosne</b> on 11:53 AM Rating:</div>",
        "<nav>menu</nav>",
        "<div class='jp-relatedposts'>Related</div>",
        "<div id='comments'>c</div>",
        "<div class='author-box'>About me</div>",
        "<iframe src=x></iframe>",
        "<form><input></form>",
        "<aside>aside</aside>",
        "<footer>foot</footer>",
    ],
)
def test_body_removes_boilerplate(junk: str) -> None:
    assert _body(f"<p>Keep me.</p>{junk}") == "Keep me."


def test_published_never_from_visible_text() -> None:
    html = (
        "<meta name=generator content=Blogger><div class='post hentry'>"
        "<div class='post-body'>x</div><span class='post-timestamp'>11:53 AM</span>"
        "<abbr class='published timeago'>2 days ago</abbr></div>"
    )
    record = parse_post("https://b.blogspot.com/2020/01/x.html", html)
    assert record.published is None


def test_title_not_repeated_as_first_paragraph() -> None:
    html = f'<meta property="og:type" content="article"><article><h1>My title</h1>{POST}</article>'
    record = parse_post("https://x.example/a", html, platform="generic")
    assert record.title == "My title"
    assert not record.body.startswith("My title")
