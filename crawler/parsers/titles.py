"""Post titles: the visible heading when the page's metadata agrees with it, and site names
stripped from ``<title>``-like strings ("Post title | Site", "Site - Post title")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from .bylines import publisher_key, site_keys
from .dom import Element, attr, classes, clean_text, is_foreign

# Separators between a post title and the site name (spaces around them are required for
# the dash-like ones and the colon, so "Covid-19" or "Baden-Württemberg" stay whole).
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»|/|:)\s+|\s*(?:\||::|»)\s*")
# Where a metadata title may join a kicker and the headline ("Kicker: Headline").
_PIECE = re.compile(rf"{_SEPARATOR.pattern}|:\s+")
# The "Blog Archive" part of old WordPress themes' titles ("Site » Blog Archive » Post").
_ARCHIVE = re.compile(r"^blog[- ]?archi(?:v|ve|vo|ves)$", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")
_HIDDEN = re.compile(
    r"^(?:hidden|invisible|offscreen|element-invisible|screen-reader-text)$"
    r"|^(?:sr-only|visually-?hidden|visuallyhidden)",
    re.IGNORECASE,
)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SITE_NAME = re.compile(r"logo|site-?title|site-?name|branding", re.IGNORECASE)
_WAYBACK = re.compile(r"^/web/\d+[a-z_]*/")
_INDEX_PAGE = re.compile(r"/index\.\w+$")
_EDGES = " :|/-–—·»"
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
_QUOTES = str.maketrans(
    {**dict.fromkeys("„“”«»", '"'), **dict.fromkeys("‚‘’", "'"), "–": "-", "—": "-"}
)
AGREEMENT = 0.5  # share of a heading's words that the metadata title must hold too
MAX_HEADING = 300  # characters: a longer <h1> is a text block styled as a heading
MAX_SITE_WORDS = 5  # words of a title part that holds the site's name and is still the name
MIN_PART = 3  # a heading part is the title only when it is at least 1/3 of the heading


def strip_site(title: str, publishers: frozenset[str]) -> str:
    """``title`` without the parts that are the site's name; unchanged when none is, or when
    nothing else would be left."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    kept = [p for p in parts if not _site_part(p, publishers)]
    if not kept or len(kept) == len(parts):
        return title
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return clean_text(title[start:end]) if 0 <= start < end else title


def _site_part(part: str, publishers: frozenset[str]) -> bool:
    """A site name, or a short part that holds one ("Der SeglerBlog aus Berlin"); a long
    part that names the site is the post's own ("… durch die Bundespolizei im Jahr")."""
    loose = len(part.split()) <= MAX_SITE_WORDS
    return bool(_ARCHIVE.match(part.strip())) or publisher_key(part, publishers, loose=loose)


def is_site_name(text: str, publishers: frozenset[str]) -> bool:
    """The text is one of the site's names, exactly (not a title that holds one)."""
    return bool(site_keys("", [text]) & publishers)


def _words(text: str) -> set[str]:
    return set(_TOKEN.findall(text.casefold()))


def agree(heading: str, title: str) -> bool:
    """Most words of one string are in the other (a heading and the page's metadata title)."""
    a, b = _words(heading), _words(title)
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a) >= AGREEMENT or shared / len(b) >= AGREEMENT


def is_hidden(element: Element) -> bool:
    """Hidden from sight: screen-reader-only labels, ``hidden`` and ``display: none``."""
    if element.get("hidden") is not None or _DISPLAY_NONE.search(attr(element, "style")):
        return True
    return any(_HIDDEN.match(c) for c in classes(element))


def _is_home(href: str) -> bool:
    path = urlsplit(href).path
    if _WAYBACK.match(path):  # an archived copy: the archived URL's own path
        path = urlsplit(_WAYBACK.sub("", path)).path
    return _INDEX_PAGE.sub("", path).strip("/") == ""


def site_heading(heading: Element) -> bool:
    """The site's name set as a heading: a logo or site title, or all a link home."""
    named = [heading, *heading.iter("a")]
    if any(_SITE_NAME.search(" ".join([*classes(n), attr(n, "id")])) for n in named):
        return True
    links = [a for a in heading.iter("a") if visible_text(a)]
    if any("home" in attr(a, "rel").split() for a in links):
        return True
    linked = " ".join(visible_text(a) for a in links)
    return (
        bool(links)
        and linked == visible_text(heading)
        and all(_is_home(attr(a, "href")) for a in links)
    )


def _runs(element: Element) -> list[str]:
    """The element's visible text runs, split wherever an element starts or ends."""
    runs = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _NOT_TEXT and not is_hidden(child):
            runs += _runs(child)
        runs.append(child.tail or "")
    return runs


def visible_text(element: Element) -> str:
    """The element's text without hidden parts (screen-reader labels, scripts)."""
    return clean_text(" ".join(_runs(element)))


def _usable(heading: Element) -> bool:
    return not is_hidden(heading) and not site_heading(heading)


def heading_element(
    scope: Element, root: Element, publishers: frozenset[str], metadata: Iterable[str] = ()
) -> Element | None:
    """The post's ``<h1>``: in the post's scope, the first one the metadata agrees with, else
    the first; else the page's only one (outside sidebars and widgets if it can); never a
    logo or the site name."""
    found = [h for h in scope.iter("h1") if not is_foreign(h) and _usable(h)]
    if not found:
        page = [h for h in root.iter("h1") if _usable(h)]
        own = [h for h in page if not is_foreign(h)]
        found = own if len(own) == 1 else page if len(page) == 1 else []
    titles = [t for t in metadata if t]
    found = [h for h in found if _plausible(visible_text(h), publishers)]
    agreed = [h for h in found if any(agree(visible_text(h), t) for t in titles)]
    return next(iter(agreed or found), None)


def _plausible(text: str, publishers: frozenset[str]) -> bool:
    return bool(text) and len(text) <= MAX_HEADING and not publisher_key(text, publishers)


def sole_heading(heading: Element, scope: Element) -> bool:
    """The page's only ``<h1>`` (logos, hidden and sidebar ones aside), inside the post's
    container: the post's own title even where the metadata holds another (an SEO title)."""
    root = heading.getroottree().getroot()
    if scope.tag in ("body", "html") or not any(a is scope for a in heading.iterancestors()):
        return False
    return [h for h in root.iter("h1") if not is_foreign(h) and _usable(h)] == [heading]


def main_heading(scope: Element, root: Element, publishers: frozenset[str]) -> str | None:
    """The visible text of :func:`heading_element`."""
    heading = heading_element(scope, root, publishers)
    return visible_text(heading) if heading is not None else None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\xad", "").casefold()
    return clean_text(text.translate(_QUOTES)).strip(" .,;:!?-|\"'")


def _cuts(heading: Element) -> tuple[str, list[str]]:
    """The heading's text and its proper prefixes and suffixes that end where an element
    starts or ends, or at a separator ("Kicker / Headline")."""
    runs = [clean_text(r) for r in _runs(heading)]
    whole = " ".join(r for r in runs if r)
    bounds: set[tuple[int, int]] = set()
    offset = 0
    for run in filter(None, runs[:-1]):
        offset += len(run) + 1
        bounds.add((offset - 1, offset))
    bounds |= {m.span() for m in _SEPARATOR.finditer(whole)}
    cuts = [part for start, end in bounds for part in (whole[:start], whole[end:])]
    return whole, [c.strip(_EDGES) for c in cuts if 0 < len(c.strip(_EDGES)) < len(whole)]


def heading_title(heading: Element, metadata: Iterable[str]) -> str:
    """The heading's text, or the part of it that the metadata names alone: a kicker
    ("<span>Kicker</span> Headline") or a subtitle left out."""
    whole, cuts = _cuts(heading)
    titles = [t for t in metadata if t]
    if not cuts:
        return whole
    named = {_norm(t) for t in titles} | {_norm(p) for t in titles for p in _PIECE.split(t)}
    if any(_norm(whole) in _norm(t) for t in titles):  # the whole heading is in a title
        return whole
    found = [c for c in cuts if _norm(c) in named and len(c) * MIN_PART >= len(whole)]
    return max(found, key=len) if found else whole


def choose(heading: str | None, metadata: Iterable[str], fallback: str | None) -> str | None:
    """The heading when the metadata agrees with it (or there is none), else ``fallback``."""
    titles = [t for t in metadata if t]
    if heading and (not titles or any(agree(heading, t) for t in titles)):
        return heading
    return fallback
