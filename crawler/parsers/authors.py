"""Author names: flatten structured values, reject URLs/handles/emails, read bylines."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from .dom import Element as Tag
from .dom import attr, clean_text, select_one, text_of
from .microdata import Item

_URLISH = re.compile(
    r"^(?:https?:|//|www\.|/)|^[\w.-]+\.(?:com|org|net|io|dev)(?:/|$)", re.IGNORECASE
)
# A domain inside a name ("Deutsche Welle (www.dw.com)", "Jane Roe; LAOLA1.at"): a publisher.
_DOMAIN = re.compile(r"(?:^|[\s(])(?:www\.)?[\w-]{2,}\.(?:[a-z]{2,3}|info|online)(?:$|[\s)/-])")
# A lower-case user name with dots or underscores ("jane.roe", "jane_roe_1"): a handle.
_USERNAME = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_HANDLE = re.compile(r"(?:^|\s)@\w+")
# Prefixes of link titles such as "View all posts by Jane Roe" (theme strings).
_TITLE_PREFIX = re.compile(
    r"^(?:view all posts by|all posts by|posts by|articles by|view posts by|more posts by|"
    r"zeige alle beiträge von|alle beiträge von|voir tous les articles de|"
    r"ver todas las entradas de)\s*:?\s*",
    re.IGNORECASE,
)
# Byline labels in the languages of the blogs we archive: an optional verb ("Posted",
# "Erstellt", "Publicada", "Ein Beitrag") then the preposition ("by", "von", "par", "por").
_LABEL = re.compile(
    r"^(?:(?:posted|written|published|reviewed|created|erstellt|verfasst|geschrieben|"
    r"veröffentlicht|publicad[oa]|publié|publiée|écrit|rédigé|escrito|scritto|pubblicato|"
    r"geplaatst|geschreven|skrevet|opublikowany|eine?[nm]?\s+\w+|text|texto|words)\s+)?"
    r"(?:by|von|par|por|door|av|af|przez)\b\s*:?\s*",
    re.IGNORECASE,
)
# "Author: Jane Roe", "Auteur : Jane Roe", "Text: Jane Roe": a one- or two-word label.
_COLON_LABEL = re.compile(r"^[^\W\d]+(?:\s+[^\W\d]+)?\s*:\s+(?=\S)")
# Several names in one string, or a name next to its publisher or date.
_SEPARATORS = re.compile(
    r"\s*(?:;|,|\||&|\s(?:and|und|et|y|e|i|oraz|im gespräch mit|in conversation with)\s"
    r"|\s[-–—/·•]\s)\s*",
    re.IGNORECASE,
)
# "Jane Roe on 3 May", "Jane Roe am 3. Mai": the date after a visible name; "Von Jane Roe am"
# with the date in an element of its own: the dangling preposition.
_TRAILER = re.compile(r"\s+(?:on|am|le|el|il|um|at|-|–|—)(?:\s+.*\d.*)?$", re.IGNORECASE)
# Labels and captions that byline markup holds next to a name, never names themselves.
_NOT_NAME = re.compile(
    r"^(?:name|author|autor|auteur|by|von|datum|date|admin|posted|texto?|fotos?|photos?|"
    r"bild|bilder|quelle|source|interview|redakteur|anonymous|profile|follow|unfollow|"
    r"subscribe|share|contact|email|website|twitter|facebook|instagram|linkedin|comments|"
    r"kommentare|more|user ?name|user|sign ?in|sign ?up|log ?in|log ?out|register|anmelden|"
    r"einloggen|abmelden|registrieren|connexion)$",
    re.IGNORECASE,
)


def clean_name(value: Any) -> str:
    """A display name, or "" for empty values, URLs, @handles and e-mail addresses."""
    if not isinstance(value, str):
        return ""
    name = clean_text(html.unescape(value)).strip(",;|·•")
    # "By Jane Roe" in a byline or a meta tag: the label is never part of the name.
    name = _TITLE_PREFIX.sub("", strip_label(name))
    name = clean_text(_HANDLE.sub(" ", name)) if not name.startswith("@") else name
    if not name or name.startswith("@") or _URLISH.match(name) or _EMAIL.match(name):
        return ""
    if _DOMAIN.search(name) or _USERNAME.match(name) or _NOT_NAME.match(name):
        return ""
    return name


def split_names(value: str) -> list[str]:
    """ "Jane Roe, John Doe und Max Muster" → three names (the label stripped first)."""
    text = _TRAILER.sub("", strip_label(clean_text(html.unescape(value))))
    return [part for part in _SEPARATORS.split(text) if part]


def dedupe(names: Iterable[str], *, split: bool = True) -> list[str]:
    """Clean, drop empties and de-duplicate (case-insensitively), keeping order. ``split``
    separates "A, B und C" in visible text; structured values are one name each ("Smith,
    John" in JSON-LD is one person)."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in names:
        if not isinstance(raw, str):
            continue
        for part in split_names(raw) if split else [strip_label(raw)]:
            name = clean_name(part)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                out.append(name)
    return out


def flatten(value: Any, resolve: Callable[[Any], Any] = lambda v: v) -> list[str]:
    """Names from a string, a Person/Organization dict, an ``@id`` ref or a list of those."""
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        item = resolve(item)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = resolve(item.get("name"))
            if isinstance(name, dict):
                name = name.get("@value")
            names.extend(n for n in (name if isinstance(name, list) else [name]) if n)
    return dedupe(names, split=False)


def microdata_names(item: Item, prop: str = "author") -> list[str]:
    """Names of ``itemprop=author`` values: bare text, or a Person's ``name``."""
    names: list[str] = []
    for value in item.values(prop):
        if isinstance(value, Item):
            names.append(value.text("name") or text_of(value.element))
        else:
            names.append(value)
    return dedupe(names, split=False)


def from_title_attr(link: Tag) -> str:
    """ "View all posts by NAME" → NAME, for avatar-only author links."""
    title = attr(link, "title")
    stripped = _TITLE_PREFIX.sub("", title)
    return stripped if stripped != title else ""


def strip_label(text: str) -> str:
    """Drop a leading "Posted by"-like or "Author:"-like label."""
    text = clean_text(text)
    stripped = clean_text(_LABEL.sub("", text, count=1))
    stripped = clean_text(_COLON_LABEL.sub("", stripped, count=1))
    return stripped or text


def byline_name(node: Tag) -> str:
    """The name inside a byline element: inner name element, link text, title, img alt."""
    for selector in ("[itemprop=name]", ".fn", ".author-name", ".name"):
        inner = select_one(node, selector)
        if inner is not None and (text_of(inner) or img_alt(inner)):
            return text_of(inner) or img_alt(inner)
    links = [a for a in list(node.iterdescendants("a")) if text_of(a) and not _is_tag(a)]
    if links:
        return text_of(links[0])
    for link in [node, *list(node.iterdescendants("a"))]:
        if from_title_attr(link):
            return from_title_attr(link)
    spans = [s for s in node.iterdescendants("span") if text_of(s)]
    if spans:
        return text_of(spans[-1])
    img = next(node.iterdescendants("img"), None)
    if img is not None and attr(img, "alt"):
        return attr(img, "alt")
    return strip_label(text_of(node))


def img_alt(node: Tag) -> str:
    img = next(node.iterdescendants("img"), None)
    return attr(img, "alt") if img is not None else ""


def _is_tag(link: Tag) -> bool:
    rel = attr(link, "rel").lower().split()
    return "tag" in rel or "category" in rel


MAX_BYLINE_NAMES = 4  # more distinct names under one byline selector: a list of the site's authors


def byline_names(nodes: Iterable[Tag]) -> list[str]:
    found = dedupe(byline_name(n) for n in nodes)
    return found if len(found) <= MAX_BYLINE_NAMES else []
