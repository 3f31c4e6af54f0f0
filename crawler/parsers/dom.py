"""Small helpers over the lxml tree shared by every field of a page (one parse per page)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import cast
from urllib.parse import urljoin

from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
    fromstring,
)
from trafilatura.utils import decode_file, repair_faulty_html

Element = HtmlElement
# trafilatura's own parser options (its extractor is tuned on the trees they give), with
# a class lookup done in C: lxml.html's per-tag lookup is a Python call for every element
# touched, the largest single cost of walking a tree (and we never use its form classes).
_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
_EMPTY = b"<html><head></head><body></body></html>"
# Text nodes that are page text (not code of scripts or styles).
_TEXT = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    " and not(ancestor::template)]"
)
# Regions whose names/dates/links belong to someone else than the post. ("sidebar-position-left"
# is a layout class on the page's main wrapper in hexo-theme-next and its forks.)
_FOREIGN_CLASS = re.compile(
    r"^(comments?|comment-.*|.*-comments?|commentlist|respond|sidebar(?!-position).*|widget.*|.*-widget|"
    r"related.*|.*-related.*|jp-relatedposts|yarpp-.*|footer-widgets|site-footer)$",
    re.IGNORECASE,
)
_FOREIGN_ID = re.compile(
    r"^(comments?|respond|sidebar.*|secondary|footer|related.*)$", re.IGNORECASE
)
_FOREIGN_TAGS = frozenset({"aside", "nav"})
# Layout classes on <body> ("sidebar-first", "has-sidebar") describe the page, not a region.
_PAGE_TAGS = frozenset({"body", "html"})


def make_soup(text: str | bytes) -> HtmlElement:
    """Parse with lxml (comments dropped); never raises, an empty page gives an empty tree.

    The page goes through trafilatura's loader steps (its HTML repairs included), so that
    the generic body extractor sees the very tree it is tuned on; the root is always
    ``<html>``.
    """
    tree = _load(text) if text else None
    if tree is not None:
        return cast(HtmlElement, tree.getroottree().getroot())
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        return document_fromstring(data or _EMPTY, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return document_fromstring(_EMPTY, parser=_PARSER)


def _load(text: str | bytes) -> HtmlElement | None:
    """``trafilatura.utils.load_html`` on our parser: repair, parse, reject a non-page."""
    text = decode_file(text)  # bytes: UTF-8, else the encoding charset detection finds
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    tree: HtmlElement | None
    try:
        tree = fromstring(text, parser=_PARSER)
    except (ValueError, etree.LxmlError):  # ValueError: an XML encoding declaration in a str
        tree = None
    if tree is None or len(tree) < 1:
        tree = _from_bytes(text)
    dubious = "html" not in beginning
    return None if tree is None or (dubious and len(tree) < 2) else tree


def _from_bytes(text: str) -> HtmlElement | None:
    try:
        return fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.LxmlError, ValueError):
        return None


@lru_cache(maxsize=1024)
def _compiled(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


# Every class, id, itemprop and rel value of a page: a selector naming a value the page
# does not hold anywhere cannot match, and a substring test is far cheaper than the XPath.
_ATTRIBUTE_VALUES = etree.XPath("//@class | //@id | //@itemprop | //@rel", smart_strings=False)
_BRACKETS = re.compile(r"\[[^\]]*\]|:not\([^)]*\)")
_CLASS_OR_ID = re.compile(r"[.#]([\w-]+)")
_ATTRIBUTE_VALUE = re.compile(r"""\[(?:class|id|itemprop|rel)\s*[~|^$*]?=\s*["']?([\w-]+)""")


@lru_cache(maxsize=2)  # the page being parsed
def _attribute_text(document: HtmlElement) -> str:
    return " ".join(_ATTRIBUTE_VALUES(document)).lower()


def attribute_text(node: HtmlElement) -> str:
    """Every class, id, itemprop and rel value of the node's page, lower-cased: a cheap
    "can this page hold a … at all" test before a search."""
    return _attribute_text(node.getroottree().getroot())


@lru_cache(maxsize=1024)
def _branches(selector: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each comma-separated part of ``selector`` with the values it requires (lower-case)."""
    parts = []
    for branch in (b.strip() for b in selector.split(",")):
        needles = _CLASS_OR_ID.findall(_BRACKETS.sub(" ", branch))
        needles += _ATTRIBUTE_VALUE.findall(branch)
        parts.append((branch, tuple(n.lower() for n in needles)))
    return tuple(parts)


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Descendants of ``root`` matching a CSS selector, in document order."""
    present = attribute_text(root)
    branches = [b for b, needles in _branches(selector) if all(n in present for n in needles)]
    if not branches:
        return []
    return [el for el in _compiled(", ".join(branches))(root) if el is not root]


@lru_cache(maxsize=256)
def _self_test(selector: str) -> etree.XPath:
    return etree.XPath(LxmlHTMLTranslator().css_to_xpath(selector, prefix="self::"))


def matches(element: HtmlElement, selector: str) -> bool:
    """Whether the element itself matches a CSS selector without combinators (``div.post``):
    a test of one element, where ``select`` would walk the whole page."""
    return bool(_self_test(selector)(element))


def select_one(root: HtmlElement | None, selector: str) -> HtmlElement | None:
    if root is None:
        return None
    return next(iter(select(root, selector)), None)


def body_of(root: HtmlElement) -> HtmlElement:
    body = root.find("body")
    return body if body is not None else root


def clean_text(text: str | None) -> str:
    """Collapse whitespace runs to one space and strip."""
    # str.split() splits on exactly the characters r"\s" matches (both ask Unicode's
    # whitespace property), at a third of re.sub's cost.
    return " ".join(text.split()) if text else ""


_NOT_TEXT = ("script", "style", "noscript", "template")


def text_of(node: HtmlElement | None) -> str:
    """The visible text of an element (scripts and styles excluded), whitespace collapsed."""
    if node is None:
        return ""
    if node.tag in ("script", "style"):
        return ""
    inside = next(node.iter(*_NOT_TEXT), None)
    if inside is None and next(node.iterancestors(*_NOT_TEXT), None) is None:
        # The usual case, without _TEXT's ancestor tests for every text node.
        return clean_text(" ".join(node.itertext()))
    return clean_text(" ".join(_TEXT(node)))


def attr(node: HtmlElement | None, name: str) -> str:
    """An attribute as one stripped string ("" when missing)."""
    if node is None:
        return ""
    value = node.get(name)
    return value.strip() if value else ""


def classes(node: HtmlElement) -> list[str]:
    value = node.get("class")
    return value.split() if value else []


def has_class(node: HtmlElement, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(c) for c in classes(node))


def ancestors(node: HtmlElement) -> Iterator[HtmlElement]:
    parent = node.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def is_foreign(node: HtmlElement, stop: HtmlElement | None = None) -> bool:
    """True inside comments, sidebars, widgets, nav or related-post blocks (up to ``stop``)."""
    for element in (node, *ancestors(node)):
        if element is stop or element.tag in _PAGE_TAGS:
            return False
        if is_foreign_region(element):
            return True
    return False


def is_foreign_region(element: HtmlElement) -> bool:
    """The element itself (not its ancestors) is a comment, sidebar, widget, nav or
    related-post region."""
    if element.tag in _FOREIGN_TAGS:
        return True
    # Blogger's main post list is itself a "widget Blog": only other widgets are foreign.
    if has_class(element, _FOREIGN_CLASS) and "Blog" not in classes(element):
        return True
    return bool(_FOREIGN_ID.match(attr(element, "id")))


def select_own(
    root: HtmlElement, selector: str, stop: HtmlElement | None = None
) -> list[HtmlElement]:
    """``select(root, selector)`` minus matches in foreign regions (comments, sidebar…)."""
    return [el for el in select(root, selector) if not is_foreign(el, stop or root)]


def _metas(root: HtmlElement) -> list[HtmlElement]:
    return list(root.iter("meta"))


@lru_cache(maxsize=2)  # the page being parsed: every field asks for its metas
def _meta_index(root: HtmlElement) -> dict[str, str]:
    """Each meta key (property, name or itemprop, lower-cased) with its first non-empty
    content."""
    index: dict[str, str] = {}
    for meta in _metas(root):
        content = meta.get("content")
        if not content or not content.strip():
            continue
        for key_attr in ("property", "name", "itemprop"):
            key = (meta.get(key_attr) or "").strip().lower()
            if key and key not in index:
                index[key] = clean_text(content)
    return index


def meta_content(root: HtmlElement, *keys: str) -> str:
    """The first non-empty ``<meta name|property|itemprop=key content>``, in key order."""
    index = _meta_index(root)
    return next((index[k] for k in (k.lower() for k in keys) if k in index), "")


def meta_all(root: HtmlElement, key: str) -> list[str]:
    key = key.lower()
    return [
        clean_text(attr(m, "content"))
        for m in _metas(root)
        if key in (attr(m, "property").lower(), attr(m, "name").lower()) and attr(m, "content")
    ]


def absolute(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def first(nodes: Iterable[HtmlElement | None]) -> HtmlElement | None:
    return next((n for n in nodes if n is not None), None)


def unique_texts(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in map(clean_text, values):
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out
