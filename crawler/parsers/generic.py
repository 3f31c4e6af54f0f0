"""Generic fallback page: JSON-LD → microdata → meta → hAtom/<article>/<main>/largest block."""

from __future__ import annotations

import html
import re
from functools import cached_property
from typing import ClassVar

from bs4 import Tag

from . import authors as names
from .base import PostPage
from .dom import clean_text, meta_content, select_own, text_of
from .text import is_junk

SUBSTANTIAL = 400  # characters of text that make an <article> a post, not a teaser
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")
_NOT_FOUND = re.compile(r"\b(?:404|page not found|not found)\b", re.IGNORECASE)
BYLINE_SELECTORS = (
    ".byline .author",
    ".entry-meta .author",
    ".post-author",
    ".author.vcard",
    ".author-name",
    "a[rel~=author]",
    ".byline",
    "[class*=byline] [class*=author]",
)


class GenericPage(PostPage):
    platform = "generic"
    body_selectors: ClassVar[tuple[str, ...]] = (
        "[itemprop~=articleBody]",
        ".entry-content",
        ".post-content",
        ".post-body",
        ".article-body",
        ".article-content",
        ".article__body",
        ".post-entry",
        ".e-content",
        ".story-body",
    )
    title_selectors: ClassVar[tuple[str, ...]] = (
        "h1.entry-title",
        "h1.post-title",
        ".entry-title",
        ".post-title",
        "h1.p-name",
    )

    @cached_property
    def articles(self) -> list[Tag]:
        """Top-level ``<article>`` elements with substantial text (nested ones are parts)."""
        found = [a for a in self.soup.find_all("article") if a.find_parent("article") is None]
        return [a for a in found if len(text_of(a)) >= SUBSTANTIAL]

    @cached_property
    def scope(self) -> Tag:
        if len(self.articles) == 1:
            return self.articles[0]
        main = self.soup.find("main") or self.soup.select_one("[role=main]")
        return main if isinstance(main, Tag) else (self.soup.body or self.soup)

    def title(self) -> str | None:
        headline = self.jsonld_value("headline")
        if isinstance(headline, str) and clean_text(headline):
            return clean_text(html.unescape(headline))
        for selector in self.title_selectors:
            found = [text_of(n) for n in select_own(self.soup, selector)]
            if found and found[0]:
                return found[0]
        og = meta_content(self.soup, "og:title", "twitter:title")
        return og or self._stripped_title()

    def _stripped_title(self) -> str | None:
        h1s = [text_of(h) for h in self.scope.find_all("h1")]
        if len(h1s) == 1 and h1s[0]:
            return h1s[0]
        title = self._html_title()
        if not title:
            return None
        parts = _TITLE_SEPARATORS.split(title)
        return max(parts[:-1], key=len) if len(parts) > 1 else title

    def byline_authors(self) -> list[str]:
        for selector in BYLINE_SELECTORS:
            found = names.byline_names(select_own(self.scope, selector))
            if found:
                return found
        return []

    def authors(self) -> list[str]:
        return self.structured_authors() or self.byline_authors() or self.meta_authors()

    def body_element(self) -> Tag | None:
        for selector in self.body_selectors:
            found = [n for n in select_own(self.soup, selector) if text_of(n)]
            if found:
                return found[0]
        if len(self.articles) == 1:
            return self.articles[0]
        return largest_block(self.scope)

    def not_a_post_reason(self) -> str | None:
        if self._looks_like_404():
            return "the page is an error (404) page"
        articles = self.jsonld.articles()
        if len({str(a.get("url") or a.get("headline")) for a in articles}) > 1:
            return f"the page lists {len(articles)} posts in its JSON-LD"
        if articles or meta_content(self.soup, "og:type").lower() == "article":
            return None
        if len(self.articles) > 1:
            return f"the page holds {len(self.articles)} <article> elements (a listing)"
        if self.articles or self.main_item is not None or self._has_body():
            return None
        return "no article markup and no substantial text block"

    def _looks_like_404(self) -> bool:
        title = self._html_title() or ""
        body_classes = (
            " ".join(self.soup.body.get_attribute_list("class")) if self.soup.body else ""
        )
        return "error404" in body_classes or bool(_NOT_FOUND.search(title) and len(title) < 60)

    def _has_body(self) -> bool:
        element = self.body_element()
        return element is not None and len(text_of(element)) >= SUBSTANTIAL


def largest_block(root: Tag) -> Tag:
    """Readability-style: the element whose paragraphs hold the most text, links discounted."""
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for para in root.find_all(["p", "pre", "blockquote"]):
        text = text_of(para)
        if len(text) < 25 or any(is_junk(a) for a in para.parents if isinstance(a, Tag)):
            continue
        links = sum(len(text_of(a)) for a in para.find_all("a"))
        score = (1 + min(len(text) / 100, 3) + text.count(",")) * (1 - links / len(text))
        for depth, parent in enumerate((para.parent, para.parent and para.parent.parent)):
            if isinstance(parent, Tag):
                elements[id(parent)] = parent
                scores[id(parent)] = scores.get(id(parent), 0) + score / (depth + 1)
    if not scores:
        return root
    return elements[max(scores, key=lambda key: scores[key])]
