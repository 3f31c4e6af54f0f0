"""Unit tests: localized byline labels, author-classed elements, publisher names, titles."""

from __future__ import annotations

import pytest

from crawler.parsers.authors import clean_name, dedupe
from crawler.parsers.bylines import class_bylines, first_people, people, site_keys, text_bylines
from crawler.parsers.dom import make_soup
from crawler.parsers.titles import choose, main_heading, strip_site

PUBLISHERS = site_keys("https://www.example-news.de/a/b", ["Example News", "CNN"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Von Vanessa Franke", "Vanessa Franke"),
        ("par Jeanne Roux", "Jeanne Roux"),
        ("Publicado por Ana Ruiz", "Ana Ruiz"),
        ("Ein Beitrag von Max Muster", "Max Muster"),
        ("Auteur : Kossivi Tiassou", "Kossivi Tiassou"),
        ("Williams Perdomo @wperdomod", "Williams Perdomo"),
        ("/authors/jane-roe", ""),
        ("Deutsche Welle (www.dw.com)", ""),
        ("edilson.la.rosa", ""),
        ("Text", ""),
    ],
)
def test_clean_name_labels_handles_publishers(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_visible_bylines_split_structured_names_do_not() -> None:
    assert dedupe(["Isabel Caro , Rocío Latorre y José Miguel Wilson"]) == [
        "Isabel Caro",
        "Rocío Latorre",
        "José Miguel Wilson",
    ]
    assert dedupe(["Smith, John"], split=False) == ["Smith, John"]


def test_publisher_names_are_dropped_or_only_a_last_resort() -> None:
    assert people(["Rob Picheta, CNN"], PUBLISHERS) == ["Rob Picheta"]
    assert people(["Smith, John"], PUBLISHERS) == ["Smith, John"]
    sources = [lambda: ["Example News"], list, lambda: ["Jane Roe"]]
    assert first_people(sources, PUBLISHERS) == ["Jane Roe"]
    assert first_people(sources[:2], PUBLISHERS) == ["Example News"]


def test_class_byline_skips_comments_tags_and_author_boxes() -> None:
    soup = make_soup(
        "<html><body class='sidebar-first'><article>"
        "<div class='comment-author'><b class='fn'>Commenter</b></div>"
        "<p class='typewriter'>Not a byline at all</p>"
        "<div class='meta'><span class='post__author'>von <a href='/u/jr'>Jane Roe</a></span>"
        " / <a rel='tag' href='/t/x'>Politik</a></div>"
        "<div class='author-bio'><h3>Jane Roe</h3><p>Jane writes about politics.</p></div>"
        "</article><ol class='comments'><li><span class='author'>Troll</span></li></ol></body></html>"
    )
    assert class_bylines(soup) == ["Jane Roe"]


def test_class_byline_reads_date_author_lines_and_lists() -> None:
    soup = make_soup("<p class='date-author'>Janic Cathomen, 01.12.2021</p>")
    assert class_bylines(soup) == ["Janic Cathomen"]
    many = make_soup("<p class='author'>A B, C D, E F, G H, I J</p>")
    assert class_bylines(many) == []


def test_text_byline_needs_a_label_and_capitalised_names() -> None:
    assert text_bylines(make_soup("<p><i>von Daniela Obers</i></p>")) == ["Daniela Obers"]
    assert text_bylines(make_soup("<p>Autoren Jelko Djuren und Jutta Klaukien</p>")) == [
        "Jelko Djuren",
        "Jutta Klaukien",
    ]
    assert text_bylines(make_soup("<p>Themen von A-Z</p>")) == []
    assert text_bylines(make_soup("<p>präsentiert von Generali</p>")) == []


def test_titles_strip_site_names_and_prefer_an_agreeing_h1() -> None:
    assert strip_site("Post title | Example News", PUBLISHERS) == "Post title"
    assert strip_site("Example-News.de - Post title", PUBLISHERS) == "Post title"
    assert strip_site("Covid-19 - what now", PUBLISHERS) == "Covid-19 - what now"
    soup = make_soup("<body><h1>Example News</h1><article><h1>Der lange Weg</h1></article></body>")
    article = next(soup.iter("article"))
    heading = main_heading(article, soup, PUBLISHERS)
    assert heading == "Der lange Weg"
    assert choose(heading, ["Der lange Weg zum Strom"], "meta") == "Der lange Weg"
    assert choose(heading, ["Something else entirely"], "meta") == "meta"
