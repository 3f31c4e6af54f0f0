"""Paragraph-level boilerplate inside a post's text: "read also" links, "related" lists,
"subscribe to our newsletter" calls.

News and blog templates put links to other posts *inside* the post container, as a
paragraph that starts with a label ("Read more: <headline>", "Lea también: …", "Lesen
Sie auch: …") or as a labelled list at the end ("Related posts:" and a few headlines).
Container rules cannot see them (they are plain ``<p>`` elements), so the rendered
paragraphs are checked against a lexicon of such labels in the languages the blogs we
archive are written in.
"""

from __future__ import annotations

import re

# Labels that introduce a link to another article, lower-case.
_LABELS = (
    # English
    r"read (?:also|more|next)|also read|see also|related(?: (?:posts?|articles?|stories|reading))?"
    r"|recommended(?: reading| for you)?|more on this(?: topic)?|don'?t miss|must read"
    r"|you (?:may|might) also like|further reading"
    # Spanish, Portuguese
    r"|lea (?:también|más)|lea|lee (?:también|más)|(?:también )?(?:le|te) puede interesar"
    r"|puedes ver|vea también|mire|ver también|noticias? relacionadas?|más noticias"
    r"|leia (?:também|mais)|veja também|saiba mais"
    # French, Italian
    r"|(?:à )?lire aussi|(?:à )?voir aussi|sur le même sujet"
    r"|leggi anche|potrebbe interessarti|vedi anche"
    # German, Dutch
    r"|(?:auch )?lesen sie auch|auch lesen|lies auch|auch interessant|mehr zum thema"
    r"|mehr themen|weitere themen|siehe auch|passend dazu|empfohlene beiträge"
    r"|lees ook|zie ook|meer lezen"
    # Polish
    r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|przeczytaj (?:też|także)"
)
# "Label: <headline>" (also » › > | – as the separator).
_LABELLED_LINK = re.compile(rf"^(?:{_LABELS})\s*[:»›>|–]\s*\S", re.IGNORECASE)
# A heading over a list of links: a label alone, or a short line from a label to a ":".
_LIST_HEADING = re.compile(rf"^(?:{_LABELS})(?:\s*[:.…]?|\b[^.!?]*:)$", re.IGNORECASE)
_INTERESTED = re.compile(r"(?:auch|also) interess|might also like|may also like", re.IGNORECASE)
# Calls to action: sign up for the newsletter, follow us on a social network.
_NEWSLETTER = re.compile(r"newsletter", re.IGNORECASE)
_SIGN_UP = re.compile(
    r"sign(?:ing)? ?up|subscri|abonn|anmeld|registr|inscri|suscr|iscriv|melde dich|by e-?mail",
    re.IGNORECASE,
)
_FOLLOW = re.compile(
    r"\b(?:follow us|síguenos|siguenos|folgen sie uns|folge uns|suivez-nous|seguici|siga-nos)\b"
    r".*\b(?:facebook|twitter|instagram|telegram|youtube|linkedin|tiktok|whatsapp|mastodon)\b",
    re.IGNORECASE,
)
CTA_WORDS = 40
LINK_WORDS = 25  # a headline, not a paragraph of the post
HEADING_WORDS = 8
LIST_ITEMS = 12  # a related list holds a few headlines
ITEM_WORDS = 25


def is_labelled_link(paragraph: str) -> bool:
    """ "Read more: <headline>" and its kin: a link to another post."""
    return len(paragraph.split()) <= LINK_WORDS and _LABELLED_LINK.match(paragraph) is not None


def is_list_heading(paragraph: str) -> bool:
    """ "Related posts:", "Das könnte Sie auch interessieren:": a heading over links."""
    if len(paragraph.split()) > HEADING_WORDS:
        return False
    if _LIST_HEADING.match(paragraph):
        return True
    return paragraph.endswith(":") and _INTERESTED.search(paragraph) is not None


def is_call_to_action(paragraph: str) -> bool:
    """A short "subscribe to our newsletter" or "follow us on …" line."""
    if len(paragraph.split()) > CTA_WORDS:
        return False
    if _NEWSLETTER.search(paragraph) and _SIGN_UP.search(paragraph):
        return True
    return _FOLLOW.search(paragraph) is not None


def is_headline(paragraph: str) -> bool:
    """A short line that does not end a sentence: a link's text, not prose."""
    return len(paragraph.split()) <= ITEM_WORDS and not paragraph.rstrip().endswith(".")


def drop_link_paragraphs(paragraphs: list[str]) -> list[str]:
    """The paragraphs without labelled links and without labelled lists of headlines."""
    kept = [p for p in paragraphs if not (is_labelled_link(p) or is_call_to_action(p))]
    out: list[str] = []
    at = 0
    while at < len(kept):
        end = at + 1
        if is_list_heading(kept[at]):
            while end < len(kept) and end - at <= LIST_ITEMS and is_headline(kept[end]):
                end += 1
            if end > at + 1 or end == len(kept):
                at = end  # the heading and its headlines
                continue
        out.append(kept[at])
        at = end
    return out
