"""Post titles: the visible heading when the page's metadata agrees with it, and site names
stripped from ``<title>``-like strings ("Post title | Site", "Site - Post title")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .bylines import publisher_key
from .dom import Element, clean_text, is_foreign, text_of

# Separators between a post title and the site name (spaces around them are required for
# the dash-like ones, so "Covid-19" or "Baden-Württemberg" stay whole).
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+|\s*(?:\||::|»)\s*")
_TOKEN = re.compile(r"\w+")
AGREEMENT = 0.5  # share of a heading's words that the metadata title must hold too
MAX_HEADING = 300  # characters: a longer <h1> is a text block styled as a heading


def strip_site(title: str, publishers: frozenset[str]) -> str:
    """``title`` without the parts that are the site's name; unchanged when none is, or when
    nothing else would be left."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    kept = [p for p in parts if not publisher_key(p, publishers, loose=True)]
    if not kept or len(kept) == len(parts):
        return title
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return clean_text(title[start:end]) if 0 <= start < end else title


def _words(text: str) -> set[str]:
    return set(_TOKEN.findall(text.casefold()))


def agree(heading: str, title: str) -> bool:
    """Most words of one string are in the other (a heading and the page's metadata title)."""
    a, b = _words(heading), _words(title)
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a) >= AGREEMENT or shared / len(b) >= AGREEMENT


def main_heading(scope: Element, root: Element, publishers: frozenset[str]) -> str | None:
    """The post's ``<h1>``: the first one in the post's scope, else the page's only one;
    never the site name (themes that put the logo in an ``<h1>``)."""
    found = [h for h in scope.iter("h1") if not is_foreign(h)]
    if not found:
        found = [h for h in root.iter("h1") if not is_foreign(h)]
        found = found if len(found) == 1 else []
    text = text_of(found[0]) if found else ""
    if not text or len(text) > MAX_HEADING or publisher_key(text, publishers):
        return None
    return text


def choose(heading: str | None, metadata: Iterable[str], fallback: str | None) -> str | None:
    """The heading when the metadata agrees with it (or there is none), else ``fallback``."""
    titles = [t for t in metadata if t]
    if heading and (not titles or any(agree(heading, t) for t in titles)):
        return heading
    return fallback
