"""Unit tests: author rules for real article pages (issue 14, item 6), each with a near miss."""

from __future__ import annotations

from crawler.parsers.authors import clean_name, split_names
from crawler.parsers.bylines import (
    class_bylines,
    full_name,
    inline_bylines,
    people,
    site_keys,
    text_bylines,
)
from crawler.parsers.dom import make_soup
from crawler.parsers.generic import GenericPage

PROSE = "<p>" + "Der Text des Artikels, lang genug für einen Beitrag. " * 12 + "</p>"


def _authors(head: str, body: str) -> list[str]:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return GenericPage("https://www.example-news.de/2021/05/post", html).authors()


def test_a_visible_labelled_byline_beats_the_meta_author() -> None:
    meta = "<meta name='author' content='Web Agentur Muster GmbH'>"
    article = f"<article><h1>Titel</h1><p>Von Jane Roe</p>{PROSE}</article>"
    assert _authors(meta, article) == ["Jane Roe"]
    # Near miss: no visible byline, so the meta author stays.
    assert _authors(meta, f"<article><h1>Titel</h1>{PROSE}</article>") == [
        "Web Agentur Muster GmbH"
    ]


def test_page_wide_author_classes_do_not_beat_the_meta_author() -> None:
    meta = "<meta name='author' content='Jane Roe'>"
    header = "<div class='header-user'><a href='/login'>Max Muster</a></div>"
    assert _authors(meta, f"{header}<div><h1>Titel</h1>{PROSE}</div>") == ["Jane Roe"]
    # Near miss: the same class inside the post's own <article> is its byline.
    article = f"<article><h1>Titel</h1><p class='post-author'>Max Muster</p>{PROSE}</article>"
    assert _authors(meta, article) == ["Max Muster"]


def test_interface_strings_are_no_names() -> None:
    assert clean_name("Username") == ""
    assert clean_name("Sign in") == ""
    assert clean_name("Anmelden") == ""
    assert clean_name("Sigrid Inge") == "Sigrid Inge"  # near miss


def test_a_dangling_preposition_before_the_date_element_is_dropped() -> None:
    assert split_names("R. Roe am") == ["R. Roe"]
    assert split_names("Jane Roe on 3 May 2021") == ["Jane Roe"]
    assert split_names("Anna Amsel") == ["Anna Amsel"]  # near miss: "am" inside a word


def test_inline_byline_keeps_co_authors_and_ends_at_the_line_break() -> None:
    soup = make_soup(
        "<p>Von <strong><a href='/a'>Jane Roe</a></strong> und <strong>John Doe</strong>"
        "<br/><br/> Kakuma /Kenia</p>"
    )
    assert inline_bylines(soup) == ["Jane Roe", "John Doe"]
    # Near miss: after a comma comes a role, not a second author.
    assert inline_bylines(make_soup("<p>By Jane Roe, Staff Writer</p>")) == ["Jane Roe"]


def test_inline_byline_reads_the_name_on_the_line_after_the_label() -> None:
    soup = make_soup("<div><a href='#'><b>Von:</b> <br/> <br/> Jane Roe</a></div>")
    assert inline_bylines(soup) == ["Jane Roe"]
    assert inline_bylines(make_soup("<div><b>Von:</b> <br/> der Redaktion</div>")) == []


def test_a_role_word_holding_the_site_name_is_not_part_of_the_name() -> None:
    focus = site_keys("https://www.focus.de/a", ["FOCUS Online"])
    assert people(["FOCUS-Online-Experte Robin Tschöpe"], focus) == ["Robin Tschöpe"]
    # Near miss: a personal site named after its author keeps the whole name.
    jane = site_keys("https://jane.blog/a", [])
    assert people(["Jane Anne Roe"], jane) == ["Jane Anne Roe"]


def test_a_lone_label_names_the_author_in_the_next_element() -> None:
    soup = make_soup("<div><h4>Autor</h4><p><a href='/p/nh'>Nikolai Huke</a></p></div>")
    assert text_bylines(soup) == ["Nikolai Huke"]
    dl = make_soup("<dl><dt>Author:</dt><dd>Jane Roe</dd></dl>")
    assert text_bylines(dl) == ["Jane Roe"]
    # Near miss: the next element is a sentence about the author.
    bio = make_soup("<div><h4>Autor</h4><p>Der Autor lebt und schreibt in Berlin.</p></div>")
    assert text_bylines(bio) == []


def test_a_lone_given_name_takes_the_full_name_of_the_visible_byline() -> None:
    assert full_name(["Nils"], lambda: ["Nils Pickert"]) == ["Nils Pickert"]
    assert full_name(["Nils"], lambda: ["Anna Roe"]) == ["Nils"]  # near miss
    assert full_name(["Nils Roe"], lambda: ["Nils Pickert"]) == ["Nils Roe"]


def test_layout_classes_above_the_post_do_not_hide_its_byline() -> None:
    soup = make_soup(
        "<div class='post-wrap sidebar-right'><article>"
        "<p><strong>Eine Kolumne von Nils Pickert</strong></p>"
        "<div class='comments'><p class='author'>Troll Person</p></div>"
        "</article></div>"
    )
    article = next(soup.iter("article"))
    assert text_bylines(article) == ["Nils Pickert"]
    # Near miss: a comment inside the post is still no byline.
    assert class_bylines(article) == []


def test_an_interview_byline_names_both_people() -> None:
    assert split_names("Richard David Precht im Gespräch mit Karin Fischer") == [
        "Richard David Precht",
        "Karin Fischer",
    ]
