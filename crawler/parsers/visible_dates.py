"""The publication date a page shows next to its post: in the byline/meta area or by the title.

A page's text is read once as one string (block boundaries kept as "|"), every absolute
date in it is found, and the one nearest the post's heading wins; a date inside an element
named like a date or a byline counts as nearer, and one in the meta line of the heading's
``<article>`` counts however far below. Dates in comments, sidebars, widgets, related posts,
nav, code and the page footer are never taken, nor one labelled as an update, nor one inside
a sentence of the post.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from lxml import etree

from .datetext import Found, find_dates
from .dom import Element, attr, clean_text, is_foreign
from .text import BLOCK_TAGS

# Class, id or itemprop words of the elements that hold a post's date or byline.
_HINT = re.compile(
    r"date|time|meta|byline|posted|publish|post-?info|article-?info|entry-?info|dateline|"
    r"datum|fecha|data|stamp|calendar|created|submitted",
    re.IGNORECASE,
)
_UPDATED = re.compile(
    r"(updated|modified|edited|aktualisiert|geändert|mis à jour|modifié|actualizado|"
    r"aggiornato|atualizado|bijgewerkt|zaktualizowano|обновлено|更新)\W{0,12}(on|am|le|el|il|"
    r"em|op|:)?\W{0,3}$",
    re.IGNORECASE,
)
# Words that label the date next to them as the post's own.
_LABEL = re.compile(
    r"(?<!\w)(posted|published|written|date|datum|erstellt|veröffentlicht|publiziert|publié|"
    r"publicado|pubblicato|gepubliceerd|geplaatst|opublikowano|опубликовано|发布|發布|公開|"
    r"投稿|发表)\W{0,3}(on|am|le|el|il|em|op|:)?\W{0,12}[^|]{0,25}$",
    re.IGNORECASE,
)
# Never a post's date: code, scripts, forms, and the page's navigation and asides.
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "select", "pre", "code"}
    | {"nav", "aside", "form", "button"}
)
# How far (in characters of page text) from the heading a date may be, and how much nearer
# a date in a date/byline element counts; a date before the heading counts twice as far.
MAX_DISTANCE = 400
HINT_FACTOR = 0.25
BEFORE_FACTOR = 2.0
IN_HEADING = 150
REACH = int(MAX_DISTANCE / HINT_FACTOR)
HINT_DEPTH = 3
MIN_HEADING = 3
# A date neither in a date/byline element nor labelled ("Posted on") counts only when it
# starts its text piece or makes up at least this share of it (a dateline, not a sentence).
SHARE = 0.25


@dataclass
class _Stream:
    """A page's text as one string, with where each text piece starts, which element holds
    it, and where the heading's text is."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    owners: list[Element] = field(default_factory=list)
    heading: tuple[int, int] | None = None

    def piece(self, offset: int) -> tuple[Element, int, int]:
        """The element holding the text at ``offset``, and where that text piece starts and
        ends."""
        index = bisect_right(self.starts, offset) - 1
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.owners[index], self.starts[index], end


class _Reader:
    """Walks a page once, gathering its text until no date further on could still count:
    past the reach of the heading and past the end of the heading's ``<article>``."""

    def __init__(self, heading: Element | None, article: Element | None) -> None:
        self.heading, self.article = heading, article
        self.parts: list[str] = []
        self.stream = _Stream()
        self.size = 0
        self.heading_start = 0
        self.stop_at: int | None = None

    def add(self, owner: Element, text: str) -> None:
        words = " ".join(text.split())
        if words:
            self.parts += (words, " ")
            self.stream.starts.append(self.size)
            self.stream.owners.append(owner)
            self.size += len(words) + 1

    def block_edge(self, owner: Element) -> None:
        """A block element starts or ends here: a "|" no date pattern reads across."""
        if self.parts[-2:-1] != ["|"]:
            self.add(owner, "|")

    def read(self, root: Element) -> _Stream:
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                if not tag or tag in _SKIP:
                    walker.skip_subtree()
                    continue
                if el is self.heading:
                    self.heading_start = self.size
                if tag in BLOCK_TAGS:
                    self.block_edge(el)
                if el.text:
                    self.add(el, el.text)
                continue
            if tag in BLOCK_TAGS:
                self.block_edge(el)
            if el is self.heading:
                self.stream.heading = (self.heading_start, self.size)
                self.stop_at = self.size + REACH
            if el is self.article:
                self.article = None
            tail, parent = el.tail, el.getparent()
            if tail and parent is not None:
                self.add(parent, tail)
            if self.stop_at is not None and self.size > self.stop_at and self.article is None:
                break
        self.stream.text = "".join(self.parts)
        return self.stream


def _hinted(node: Element) -> bool:
    """In a ``<time>`` or an element named like a date or byline (or within a few levels)."""
    for _ in range(HINT_DEPTH + 1):
        if node.tag == "time":
            return True
        names = f"{attr(node, 'class')} {attr(node, 'id')} {attr(node, 'itemprop')}"
        if _HINT.search(names):
            return True
        parent = node.getparent()
        if parent is None:
            return False
        node = parent
    return False


def _is_page_footer(node: Element) -> bool:
    """Inside a ``<footer>`` that is not an article's own footer."""
    for el in node.iterancestors():
        if el.tag == "footer":
            return not any(a.tag in ("article", "main") for a in el.iterancestors())
    return False


def _heading(root: Element, titles: Iterable[str | None]) -> Element | None:
    """The post's heading: the h1-h3 that shares the most text with one of the page's
    titles (one holding the other: the site's name in an h1 shares less than the post's
    own heading), else the first h1."""
    wanted = [t for t in (clean_text(t).casefold() for t in titles) if t]
    best: tuple[int, Element] | None = None
    first: Element | None = None
    for h in root.iter("h1", "h2", "h3"):
        # An article's own layout classes ("sidebar-layout") do not make it a sidebar.
        if is_foreign(h, next(h.iterancestors("article"), None)):
            continue
        if first is None and h.tag == "h1":
            first = h
        text = clean_text(h.text_content()).casefold()
        shared = max(
            (len(min(text, t, key=len)) for t in wanted if text in t or t in text), default=0
        )
        if shared >= MIN_HEADING and (best is None or shared > best[0]):
            best = (shared, h)
    return best[1] if best else first


def _distance(found: Found, span: tuple[int, int] | None) -> float:
    """Characters of text between the date and the heading (before it counts double)."""
    if span is None:
        return float(MAX_DISTANCE)
    start, end = span
    if found.start >= end:
        return float(found.start - end)
    if found.end <= start:
        return BEFORE_FACTOR * (start - found.end)
    return float(IN_HEADING)


def _inside(node: Element, container: Element | None) -> bool:
    return container is not None and any(a is container for a in node.iterancestors())


def shown_date(
    root: Element, titles: Iterable[str | None] = (), *, month_first: bool = False
) -> str | None:
    """The date shown with the post (ISO ``YYYY-MM-DD``), or None when there is none.

    The nearest date to the heading wins; failing that, the first date in a date/byline
    element of the heading's ``<article>`` (a meta line under the post). Without a heading,
    the first date in a date/byline element or labelled as the post's."""
    heading = _heading(root, titles)
    article = next(heading.iterancestors("article"), None) if heading is not None else None
    stream = _Reader(heading, article).read(root)
    span = stream.heading
    latest = date.today() + timedelta(days=1)
    near: tuple[float, date] | None = None
    far: date | None = None
    for found in find_dates(stream.text, month_first=month_first, latest=latest):
        if _UPDATED.search(stream.text, max(0, found.start - 40), found.start):
            continue
        node, start, end = stream.piece(found.start)
        hinted = _hinted(node)
        labelled = hinted or bool(_LABEL.search(stream.text, max(0, found.start - 50), found.start))
        # A date inside a sentence of the post is what the post talks about; a dateline
        # starts its text or stands (nearly) alone.
        alone = found.start - start <= 1 or found.end - found.start >= SHARE * (end - start)
        if not labelled and (span is None or not alone):
            continue
        distance = _distance(found, span) * (HINT_FACTOR if hinted else 1.0)
        if distance <= MAX_DISTANCE and (near is None or distance < near[0]):
            if not (is_foreign(node, article) or _is_page_footer(node)):
                near = (distance, found.day)
        elif far is None and hinted and _inside(node, article) and not is_foreign(node, article):
            far = found.day
    day = near[1] if near else far
    return day.isoformat() if day else None
