"""Unit tests: paragraph boilerplate (read-also links, related lists, calls to action), the
standfirst, bylines inside meta lines, and trafilatura's whole-page dump."""

from __future__ import annotations

import pytest

from crawler.parsers.boilerplate import drop_link_paragraphs, is_call_to_action, is_labelled_link
from crawler.parsers.bylines import inline_bylines
from crawler.parsers.dom import make_soup
from crawler.parsers.fallback import _is_dump
from crawler.parsers.lead import standfirst

PROSE = "This paragraph is part of the post and ends like a sentence does."


@pytest.mark.parametrize(
    "paragraph",
    [
        "Read more: Postgres tuning for beginners",
        "Lea también: Impiden ingreso a reportero",
        "LE PUEDE INTERESAR: La ficha del candidato",
        "Lesen Sie auch: Warum wir von Go zu Rust gewechselt sind",
        "À lire aussi » Quel est votre profil digestif ?",
        "Czytaj też: Wyścig zbrojeń ruszył z kopyta",
    ],
)
def test_labelled_links_are_dropped(paragraph: str) -> None:
    assert is_labelled_link(paragraph)
    assert drop_link_paragraphs([PROSE, paragraph, PROSE]) == [PROSE, PROSE]


LONG_READ_MORE = (
    "Read more about the history of the borrow checker in the next section, where we go"
    " through the original paper and its follow-ups in detail, one rule at a time, with"
    " examples for each of them."
)


@pytest.mark.parametrize(
    "paragraph",
    [
        LONG_READ_MORE,
        "Related work: linear types showed in the nineties that memory can be managed freely.",
        "Reading more code is the fastest way to learn a language.",
    ],
)
def test_prose_that_mentions_a_label_stays(paragraph: str) -> None:
    assert not is_labelled_link(paragraph)
    assert drop_link_paragraphs([PROSE, paragraph]) == [PROSE, paragraph]


def test_a_related_list_goes_with_its_heading_but_prose_after_it_stays() -> None:
    paragraphs = [PROSE, "Don't miss", "Headline one", "Headline two [INSIGHT]", PROSE]
    assert drop_link_paragraphs(paragraphs) == [PROSE, PROSE]
    closing = [PROSE, "Related posts:", "Lifetimes without fear", "Traits, not inheritance"]
    assert drop_link_paragraphs(closing) == [PROSE]


def test_a_heading_that_only_starts_like_a_label_is_kept() -> None:
    paragraphs = [PROSE, "Related work", "Short item one", "Short item two"]
    assert drop_link_paragraphs(paragraphs) == paragraphs


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Never miss the latest news by signing up to our newsletter today!", True),
        ("Abonnieren Sie unseren Newsletter und verpassen Sie keinen Beitrag.", True),
        ("Síguenos en Telegram, Instagram, Facebook y Twitter", True),
        ("The newsletter format changed in 2019, when the archive moved to a new host.", False),
        ("We follow the Twitter API changes closely.", False),
    ],
)
def test_calls_to_action(paragraph: str, expected: bool) -> None:
    assert is_call_to_action(paragraph) is expected


LEAD = "Most small services never outgrow a single SQLite file, and the savings are real."
PAGE = f"""<html><body>
<header class="site-header"><p>An independent site about software and the people who make it.</p></header>
<article><h1>Why SQLite</h1><div class="dek">{LEAD}</div><p>Body text starts here.</p></article>
<aside class="sidebar"><p>Another post: All about Postgres and why it scales to many writers.</p></aside>
</body></html>"""


def test_standfirst_is_the_visible_description() -> None:
    root = make_soup(PAGE)
    assert standfirst(root, "Body text starts here.", [None, LEAD]) == LEAD


def test_standfirst_from_a_cut_description_is_the_whole_element() -> None:
    root = make_soup(PAGE)
    cut = "Most small services never outgrow a single SQLite file, and…"
    assert standfirst(root, "Body text starts here.", [cut]) == LEAD


def test_no_standfirst_when_the_body_has_it_or_the_page_does_not_show_it() -> None:
    root = make_soup(PAGE)
    assert standfirst(root, f"{LEAD}\n\nBody text starts here.", [LEAD]) is None
    hidden = "A description that appears only in the meta tags of this page, nowhere else."
    assert standfirst(root, "Body.", [hidden]) is None
    tagline = "An independent site about software."  # too short to be a summary
    assert standfirst(root, "Body.", [tagline]) is None
    sidebar = "Another post: All about Postgres and why it scales to many writers."
    assert standfirst(root, "Body.", [sidebar]) is None


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<div class="info">Datum: 19.11.2021 Autor: Fritz Imhof Quelle: Livenet</div>',
            ["Fritz Imhof"],
        ),
        ("<h5><b>Autor:</b> Peter Maahn/SP-X</h5>", ["Peter Maahn"]),
        ("<span>yas! | By Cara Stiles | April 13, 2020</span>", ["Cara Stiles"]),
        ("<p><b>Von:</b> Götz Warnke</p>", ["Götz Warnke"]),
        ("<p>Photo by Anna Example</p>", []),
        ("<h1>Von Berlin Nach Paris</h1>", []),
        ('<div class="sidebar"><p>Autor: Jane Roe</p></div>', []),
    ],
)
def test_inline_bylines(html: str, expected: list[str]) -> None:
    root = make_soup(f"<html><body><main>{html}<p>{PROSE}</p></main></body></html>")
    assert inline_bylines(root) == expected


def test_a_whole_page_dump_is_told_from_an_article() -> None:
    words = " ".join(["word"] * 200)
    assert _is_dump(f"Home Recipes Videos Login {words}")
    assert not _is_dump(f"{words}\n\n{words}")
    assert not _is_dump("A short teaser.")
