"""The standfirst: the lead paragraph a page shows between its title and its body.

News and magazine templates (and Ghost, Substack, Medium) print the post's summary in a
header block of its own, which body extractors drop with the header. The page says which
text it is: the summary equals the page's own description (``og:description``, meta
description, JSON-LD ``description``), possibly cut short with an ellipsis. A visible
element holding that text, outside navigation, sidebars and comments, is the standfirst.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lxml import etree

from .dom import Element, clean_text, is_foreign, text_of

MIN_WORDS = 8  # shorter descriptions are taglines or titles, not summaries
# An element may hold a little more than a cut-short description, not a whole article.
TRUNCATED_GROWTH = 3.0
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_TEXTS = etree.XPath("//body//text()[contains(., $word)]")
_WORDS = re.compile(r"\w+")
# Never a standfirst: code, the head, a link (a teaser of another post), navigation, footers.
_NOT_LEAD = frozenset({"script", "style", "noscript", "template", "title", "a", "nav", "footer"})


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def standfirst(root: Element, body: str, descriptions: Iterable[object]) -> str | None:
    """The visible lead paragraph matching one of ``descriptions`` that ``body`` lacks."""
    seen: set[str] = set()
    body_key: str | None = None
    for raw in descriptions:
        if not isinstance(raw, str) or not raw.strip():
            continue
        description = clean_text(html.unescape(raw))
        # Most pages' description is their first paragraph, already in the body.
        if description in seen or description[:60] in body:
            continue
        seen.add(description)
        found = _shown(root, description)
        if found:
            body_key = _key(body) if body_key is None else body_key
            if _key(found)[:80] not in body_key:
                return found
    return None


def _shown(root: Element, description: str) -> str | None:
    """The text of the visible element that shows ``description`` (None when none does)."""
    cut = _ELLIPSIS.search(description) is not None
    key = _key(_ELLIPSIS.sub("", description))
    if len(key.split()) < MIN_WORDS:
        return None
    limit = TRUNCATED_GROWTH * len(key) if cut else 1.2 * len(key) + 20
    anchor = max(description.split()[:6], key=len)
    for node in _TEXTS(root, word=anchor):
        element = node.getparent()
        if element is not None and node.is_tail:
            element = element.getparent()
        found = _climb(element, key, cut, limit)
        if found is not None:
            return found
    return None


def _climb(element: Element | None, key: str, cut: bool, limit: float) -> str | None:
    """The first element up from ``element`` whose text is the description."""
    while element is not None and element.tag != "body":
        if not isinstance(element.tag, str) or element.tag in _NOT_LEAD:
            return None
        # text_content() is the cheap measure (scripts included); text_of() only for a match
        found = _key(element.text_content())
        if len(found) > limit:
            return None
        if found == key or (cut and found.startswith(key)):
            hidden = next(element.iterancestors(*_NOT_LEAD), None) is not None
            return None if hidden or is_foreign(element) else text_of(element)
        element = element.getparent()
    return None
