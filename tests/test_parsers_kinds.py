"""Page kinds: posts, pages and listings, each rule with a near miss."""

from __future__ import annotations

import codecs
import random

import pytest

from crawler.parsers import page_for
from crawler.parsers.kinds import ERROR, LISTING, PAGE, POST, Kind, is_binary

TEXT = "A sentence of the post's own text, long enough to read as prose. " * 9
SHORT = "Three short paragraphs of a real but short post."
POST_PAGE = (
    f"<html><head><title>A post</title></head><body><h1>A post</h1><p>{TEXT}</p></body></html>"
)


def _kind(url: str, body: str, head: str = "", body_class: str = "", platform: str = "auto") -> str:
    html = f"<html><head>{head}</head><body class='{body_class}'>{body}</body></html>"
    return page_for(url, html, platform=platform).page_kind.kind


def _cards(n: int, excerpt: str = "An excerpt of the post.") -> str:
    return "".join(
        f"<div class='card'><h2><a href='/2021/0{i + 1}/post-{i}/'>Post {i}</a></h2>"
        f"<p>{excerpt}</p><a href='/2021/0{i + 1}/post-{i}/'>Read more</a></div>"
        for i in range(n)
    )


def test_a_run_of_teasers_is_a_listing() -> None:
    assert _kind("https://b.example/", f"<main>{_cards(3)}</main>") == LISTING


def test_near_miss_a_post_with_related_posts_after_its_text_is_a_post() -> None:
    """Related posts in a plain section (no 'related' class) after the post's own text."""
    body = f"<article><h1>My post</h1><p>{TEXT}</p></article><section>{_cards(4)}</section>"
    assert _kind("https://b.example/my-post/", body) in (POST, PAGE)


def test_full_post_listing_is_a_listing() -> None:
    """A home page showing whole posts: each card holds a post's full text."""
    body = f"<div class='blog-posts'>{_cards(3, TEXT)}</div>"
    assert _kind("https://b.example/", body) == LISTING


def test_blogger_style_home_without_generator_is_a_listing() -> None:
    outer = "".join(
        f"<div class='post-outer'><div class='post hentry'><h3 class='post-title entry-title'>"
        f"<a href='https://b.example/2020/01/p{i}.html'>P{i}</a></h3>"
        f"<div class='post-body entry-content'><p>{TEXT}</p></div></div></div>"
        for i in range(3)
    )
    more = "<a class='blog-pager-older-link' href='/search?updated-max=2020'>Older Posts</a>"
    body = f"<div class='blog-posts hfeed'>{outer}</div>{more}"
    assert _kind("https://b.example/", body) == LISTING
    assert _kind("https://b.example/", body, platform="blogger") == LISTING


def test_a_month_archive_of_one_post_is_a_listing() -> None:
    body = "<main><article><h2><a href='/2017/01/only-post/'>Only post</a></h2></article></main>"
    assert _kind("https://b.example/archives/2017/01/", body) == LISTING


def test_near_miss_a_post_whose_text_has_one_heading_link_is_a_post() -> None:
    body = (
        f"<article><h1>Part two</h1><p>{TEXT}</p>"
        "<h3><a href='/part-one/'>Read part one first</a></h3><p>{TEXT}</p></article>"
    )
    assert _kind("https://b.example/part-two/", body) in (POST, PAGE)


def test_a_short_hatom_post_is_a_post() -> None:
    body = (
        "<div class='post hentry'><h1 class='entry-title'>Short one</h1>"
        "<abbr class='published' title='2021-03-03'>March 3</abbr>"
        f"<div class='entry-content'><p>{SHORT}</p><p>{SHORT}</p><p>{SHORT}</p></div></div>"
    )
    assert _kind("https://b.example/short-one/", body) == POST


def test_a_short_post_with_a_heading_and_a_shown_date_is_a_post() -> None:
    body = f"<div class='post'><h1>Hello World!</h1><p>Posted on 15 Oct 2014</p><p>{SHORT}</p>"
    assert _kind("https://b.example/2014/10/15/hello-world/", body) == POST


def test_near_miss_a_few_words_and_no_markup_is_no_item() -> None:
    assert _kind("https://b.example/x/", "<p>short</p>") == LISTING


def test_a_list_of_links_is_a_listing() -> None:
    items = "".join(
        f"<li><span>2021-0{i}-01</span> <a href='/2021/0{i}/post-{i}/'>A post title {i}</a></li>"
        for i in range(1, 9)
    )
    assert _kind("https://b.example/archives/", f"<h1>Archives</h1><ul>{items}</ul>") == LISTING


def test_near_miss_a_post_of_prose_with_many_links_is_a_post() -> None:
    items = "".join(f"<li><a href='/tag/t{i}/'>tag {i}</a></li>" for i in range(8))
    body = f"<article><h1>Notes</h1><p>{TEXT}</p><ul>{items}</ul></article>"
    assert _kind("https://b.example/2021/01/notes/", body) in (POST, PAGE)


@pytest.mark.parametrize(
    ("body_class", "kind"),
    [
        ("tag-template tag-x", LISTING),
        ("list-page kind-term", LISTING),
        ("post-template", POST),
        ("page-template", PAGE),
    ],
)
def test_generator_body_classes(body_class: str, kind: str) -> None:
    assert (
        _kind("https://b.example/x/", f"<main><h1>X</h1><p>{TEXT}</p></main>", "", body_class)
        == kind
    )


@pytest.mark.parametrize(
    ("body_class", "kind"),
    [
        ("single single-post postid-1", POST),
        ("page page-id-2", PAGE),
        ("home blog", LISTING),
        ("archive category", LISTING),
    ],
)
def test_wordpress_body_classes(body_class: str, kind: str) -> None:
    body = f"<article><h1>X</h1><p>{TEXT}</p></article>"
    assert _kind("https://wp.example/x/", body, "", body_class, platform="wordpress") == kind


def test_a_wordpress_page_that_lists_posts_is_a_listing() -> None:
    """A static front page made of recent-post cards."""
    body = f"<main><h1>Welcome</h1>{_cards(5)}</main>"
    assert _kind("https://wp.example/", body, "", "home page page-id-2", "wordpress") == LISTING


def test_jsonld_article_of_this_page_wins_over_related_ones() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","url":"https://n.example/a",'
        '"headline":"A"}</script><script type="application/ld+json">{"@type":"NewsArticle",'
        '"url":"https://n.example/b","headline":"B"}</script>'
    )
    assert _kind("https://n.example/a", f"<main>{_cards(3)}</main>", head) == POST


def test_jsonld_collection_page_is_a_listing() -> None:
    head = '<script type="application/ld+json">{"@type":"CollectionPage","name":"Tag"}</script>'
    assert _kind("https://b.example/tag/x/", f"<main><p>{TEXT}</p></main>", head) == LISTING


def test_a_feed_makes_an_undecided_page_a_post_but_not_a_stated_listing() -> None:
    assert Kind(PAGE, "a page of text").in_feed().kind == POST
    assert Kind(LISTING, "little text", settled=False).in_feed().kind == POST
    assert Kind(LISTING, "a Ghost tag page").in_feed().kind == LISTING


def test_binary_data_served_as_html_is_no_item() -> None:
    noise = random.Random(3).randbytes(6000)  # seeded: an image's worth of arbitrary bytes
    kind = page_for("https://blog.example/upload.html", b"\x89PNG\r\n\x1a\n" + noise).page_kind
    assert (kind.kind, kind.is_item) == (ERROR, False)
    assert "binary" in kind.reason


def test_near_miss_text_with_a_stray_control_byte_and_a_wide_bom_is_text() -> None:
    stray = POST_PAGE.replace("<p>", "<p>\x01", 1).encode("utf-8")
    assert not is_binary(stray)
    assert not is_binary(codecs.BOM_UTF16_LE + POST_PAGE.encode("utf-16-le"))
    assert is_binary(b"<html>\x00\x00\x00\x00</html>")
