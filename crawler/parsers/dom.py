"""Small helpers over the BeautifulSoup tree shared by every field of a page."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

_WS = re.compile(r"\s+")
# Regions whose names/dates/links belong to someone else than the post.
_FOREIGN_CLASS = re.compile(
    r"^(comments?|comment-.*|.*-comments?|commentlist|respond|sidebar.*|widget.*|.*-widget|"
    r"related.*|.*-related.*|jp-relatedposts|yarpp-.*|footer-widgets|site-footer)$",
    re.IGNORECASE,
)
_FOREIGN_ID = re.compile(
    r"^(comments?|respond|sidebar.*|secondary|footer|related.*)$", re.IGNORECASE
)
_FOREIGN_TAGS = frozenset({"aside", "nav"})


def make_soup(text: str) -> BeautifulSoup:
    """Parse with lxml; markup that looks like a file name or XML is still parsed as HTML."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(text, "lxml")


def clean_text(text: str | None) -> str:
    """Collapse whitespace runs to one space and strip."""
    return _WS.sub(" ", text or "").strip()


def text_of(node: Tag | None) -> str:
    return clean_text(node.get_text(" ")) if node is not None else ""


def attr(node: Tag | None, name: str) -> str:
    """An attribute as one stripped string ("" when missing; lists joined)."""
    if node is None:
        return ""
    value = node.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value).strip()
    return str(value).strip()


def classes(node: Tag) -> list[str]:
    value = node.get("class")
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split() if value else []


def has_class(node: Tag, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(c) for c in classes(node))


def ancestors(node: Tag) -> Iterator[Tag]:
    parent = node.parent
    while isinstance(parent, Tag):
        yield parent
        parent = parent.parent


def is_foreign(node: Tag, stop: Tag | None = None) -> bool:
    """True inside comments, sidebars, widgets, nav or related-post blocks (up to ``stop``)."""
    for element in (node, *ancestors(node)):
        if element is stop:
            return False
        if element.name in _FOREIGN_TAGS:
            return True
        # Blogger's main post list is itself a "widget Blog": only other widgets are foreign.
        if has_class(element, _FOREIGN_CLASS) and "Blog" not in classes(element):
            return True
        if _FOREIGN_ID.match(attr(element, "id")):
            return True
    return False


def select_own(root: Tag, selector: str, stop: Tag | None = None) -> list[Tag]:
    """``root.select(selector)`` minus matches in foreign regions (comments, sidebar…)."""
    return [el for el in root.select(selector) if not is_foreign(el, stop or root)]


def meta_content(soup: BeautifulSoup, *keys: str) -> str:
    """The first non-empty ``<meta name|property|itemprop=key content>``, in key order."""
    wanted = [k.lower() for k in keys]
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        for key_attr in ("property", "name", "itemprop"):
            key = attr(meta, key_attr).lower()
            if key in wanted and key not in found and attr(meta, "content"):
                found[key] = clean_text(attr(meta, "content"))
    return next((found[k] for k in wanted if k in found), "")


def meta_all(soup: BeautifulSoup, key: str) -> list[str]:
    key = key.lower()
    return [
        clean_text(attr(m, "content"))
        for m in soup.find_all("meta")
        if key in (attr(m, "property").lower(), attr(m, "name").lower()) and attr(m, "content")
    ]


def absolute(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def first(nodes: Iterable[Tag | None]) -> Tag | None:
    return next((n for n in nodes if n is not None), None)
