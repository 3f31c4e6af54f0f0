"""Unit tests: post titles on real-world markup (each rule with a near miss it must leave)."""

from __future__ import annotations

import pytest

from crawler.parsers import page_for
from crawler.parsers.bylines import site_keys
from crawler.parsers.titles import strip_site

URL = "https://news.example.org/2024/05/post.html"
TEXT = "<p>" + "A paragraph of real post text that is long enough to count. " * 8 + "</p>"


def title_of(head: str, body: str) -> str | None:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return page_for(URL, html, platform="generic").title()


def og(title: str) -> str:
    return (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
    )


@pytest.mark.parametrize(
    ("heading", "meta", "expected"),
    [
        # A kicker (roofline) before the headline: the metadata names the headline alone.
        (
            '<span class="roofline">Energy crisis</span> Prices fall again',
            "Prices fall again",
            "Prices fall again",
        ),
        # Kicker and headline both in the metadata title: the longer part is the headline.
        (
            "<span>Leak</span> <span>Internal files of the firm published</span>",
            "Internal files of the firm published - Leak",
            "Internal files of the firm published",
        ),
        # A subtitle after the headline.
        (
            "<span>Fish cakes, hot and fresh</span><small>Welcome to the north</small>",
            "Fish cakes, hot and fresh",
            "Fish cakes, hot and fresh",
        ),
        # A plain-text kicker behind a separator.
        ('"Reform now" / New president elected', "New president elected", "New president elected"),
        # Near miss: emphasis inside the title, and the metadata holds the whole heading.
        (
            "<em>Dune</em> review: a masterpiece",
            "Dune review: a masterpiece",
            "Dune review: a masterpiece",
        ),
        # Near miss: a separator inside the title that the metadata title also holds whole.
        (
            "Webucator video: Python classes - basics beyond the basics",
            "My Blog – Webucator video: Python classes - basics beyond the basics",
            "Webucator video: Python classes - basics beyond the basics",
        ),
        # Near miss: a short part that the metadata names is not the title (a third of it).
        ("<span>Tips</span> How to bake bread at home in a cold kitchen", "Tips", None),
    ],
)
def test_heading_parts(heading: str, meta: str, expected: str | None) -> None:
    body = f"<article><h1>{heading}</h1>{TEXT}</article>"
    whole = page_for(URL, f"<html><body><article><h1>{heading}</h1></article></body></html>")
    assert title_of(og(meta), body) == (expected or whole.title())


def test_hidden_parts_are_left_out() -> None:
    body = (
        f'<article><h1><span class="visually-hidden">Headline:</span> Energy and society</h1>{TEXT}'
    )
    assert title_of(og("Energy and society"), body + "</article>") == "Energy and society"
    near = f'<article><h1><span class="hidden-xs">Energy</span> and society</h1>{TEXT}</article>'
    assert title_of(og("Energy and society"), near) == "Energy and society"


def test_hidden_h1_is_not_the_title() -> None:
    body = (
        f'<main><h1 class="pagetitle hidden">News</h1><h1>First electron counts</h1>{TEXT}</main>'
    )
    assert title_of(og("First electron counts"), body) == "First electron counts"


def test_logo_heading_is_the_site_name() -> None:
    logo = '<h1><a href="https://news.example.org/"><span>Salsa - Rueda in Berlin</span></a></h1>'
    head = "<title>Enchufla figures - Salsa - Rueda in Berlin</title>"
    assert title_of(head, f"{logo}<div>{TEXT}</div>") == "Enchufla figures"
    # Near miss: a heading that links to the post itself is the post's title.
    own = f'<h1><a href="{URL}">Enchufla figures</a></h1>'
    assert title_of("<title>Something else | Rueda</title>", f"{own}<div>{TEXT}</div>") == (
        "Something else"
    )
    assert title_of(og("Enchufla figures"), f"<article>{own}{TEXT}</article>") == "Enchufla figures"


def test_logo_heading_on_an_archived_copy() -> None:
    href = "https://web.archive.org/web/20160330101229/http://muffins.example/"
    body = f'<h1><a href="{href}">Muffin Recipes</a></h1><div>{TEXT}</div>'
    assert title_of("<title>Basic muffins : Muffin Recipes</title>", body) == "Basic muffins"


def test_sole_h1_in_the_post_beats_an_seo_title() -> None:
    body = f"<article><h1>Company car: lease or finance?</h1>{TEXT}</article>"
    assert title_of(og("Leasing vs financing 2024 | Compare now"), body) == (
        "Company car: lease or finance?"
    )
    # Near miss: the page's only <h1> outside any post container is a section name.
    loose = f"<h1>Allergies Health Center</h1><div>{TEXT}</div>"
    assert title_of("<title>Babies who eat peanuts early</title>", loose) == (
        "Babies who eat peanuts early"
    )


def test_first_agreeing_h1_of_the_scope() -> None:
    body = f"<h1><a href='/c/bangkok'>Bangkok</a></h1><h1>Courier flies to Singapore</h1>{TEXT}"
    assert title_of(og("Courier flies to Singapore, Thailand"), body) == (
        "Courier flies to Singapore"
    )
    # Near miss: no heading agrees, the metadata title wins.
    other = f"<h1>Bangkok</h1><h1>Weather</h1>{TEXT}"
    assert title_of(og("Courier flies to Singapore"), other) == "Courier flies to Singapore"


def test_only_h1_in_a_widget_when_the_metadata_agrees() -> None:
    body = f'<div class="elementor-widget"><h1>Shops closing faster</h1></div><div>{TEXT}</div>'
    assert title_of(og("Shops closing faster » ☆☆☆ - Watch - News"), body) == "Shops closing faster"


def test_fallback_is_never_the_site_name() -> None:
    logo = '<h1 class="head-title"><a href="https://news.example.org/">News Example</a></h1>'
    assert title_of(og("News Example"), f"{logo}<div>{TEXT}</div>") is None
    # Near miss: a site-name meta that wrongly holds the post's title does not hide it.
    meta = '<meta name="application-name" content="Through the crisis">'
    assert title_of(og("Through the crisis") + meta, f"<div>{TEXT}</div>") == "Through the crisis"


PUBLISHERS = site_keys("https://www.bundespolizei.example/", ["SeglerBlog"])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Haltet sauber! - Der SeglerBlog aus Berlin", "Haltet sauber!"),
        ("Bundespolizei - Migration: 9.087 checks by the Bundespolizei this year", None),
        ("SeglerBlog » Blog Archive » Podcasts in Plex", "Podcasts in Plex"),
        ("Blog archives of the year - SeglerBlog", "Blog archives of the year"),
        ("Muffin basics : SeglerBlog", "Muffin basics"),
    ],
)
def test_strip_site(title: str, expected: str | None) -> None:
    want = expected or "Migration: 9.087 checks by the Bundespolizei this year"
    assert strip_site(title, PUBLISHERS) == want
