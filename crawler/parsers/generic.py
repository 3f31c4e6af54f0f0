"""Generic fallback page: JSON-LD → microdata → meta → hAtom/<article>/<main>/largest block."""

from __future__ import annotations

import html
import re
from functools import cached_property
from typing import ClassVar

from . import authors as names
from .base import PostPage
from .bylines import class_bylines, first_people, inline_bylines, text_bylines
from .dom import Element as Tag
from .dom import body_of, classes, clean_text, meta_content, select, select_own, text_of
from .text import is_junk
from .titles import choose, main_heading, strip_site

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
    # Containers that only this platform's own templates emit: rendered with our body rules.
    trusted_selectors: ClassVar[tuple[str, ...]] = ()
    # Whether a named container beats trafilatura when trafilatura only adds text around it.
    prefer_named_container: ClassVar[bool] = False
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
        found = [
            a for a in self.soup.iter("article") if next(a.iterancestors("article"), None) is None
        ]
        return [a for a in found if len(text_of(a)) >= SUBSTANTIAL]

    @cached_property
    def scope(self) -> Tag:
        if len(self.articles) == 1:
            return self.articles[0]
        main = next(self.soup.iter("main"), None)
        if main is None:
            main = next(iter(select(self.soup, "[role=main]")), None)
        return main if main is not None else body_of(self.soup)

    def title(self) -> str | None:
        return self._title

    @cached_property
    def _title(self) -> str | None:
        """The post's ``<h1>`` when the metadata titles agree with it, else the metadata
        title; site names stripped either way."""
        fallback = self._metadata_title()
        heading = main_heading(self.scope, self.soup, self.publishers)
        candidates = (
            self.jsonld_value("headline"),
            meta_content(self.soup, "og:title"),
            meta_content(self.soup, "twitter:title"),
            self._html_title(),
        )
        metadata = [self._strip(t) for t in candidates if isinstance(t, str) and t.strip()]
        return choose(heading, metadata, self._strip(fallback) if fallback else None)

    def _strip(self, title: str) -> str:
        return strip_site(clean_text(html.unescape(title)), self.publishers)

    def _metadata_title(self) -> str | None:
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
        h1s = [text_of(h) for h in self.scope.iterdescendants("h1")]
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

    def reviewer_authors(self) -> list[str]:
        """The hReview ``.reviewer`` of a review box (the post author reviewing something)."""
        found = [names.byline_name(r) for r in select_own(self.scope, ".hreview .reviewer")]
        return names.dedupe(found)

    def authors(self) -> list[str]:
        """The first source naming a person; the site's own name only when none does."""
        return first_people(
            (
                self.structured_authors,
                self.byline_authors,
                self.meta_authors,
                lambda: class_bylines(self.scope),
                lambda: class_bylines(self.soup) if self.scope is not body_of(self.soup) else [],
                lambda: text_bylines(self.scope),
                lambda: inline_bylines(self.soup),
                self.reviewer_authors,
            ),
            self.publishers,
        )

    def selector_container(self) -> Tag | None:
        if not self.prefer_named_container:
            return None
        for selector in self.body_selectors:
            found = [n for n in select_own(self.soup, selector) if text_of(n)]
            if found:
                return found[0]
        return None

    def body_element(self) -> Tag | None:
        named = self._named_container()
        if named is not None:
            return named
        if len(self.articles) == 1:
            return self.articles[0]
        return largest_block(self.scope)

    def trusted_container(self) -> Tag | None:
        for selector in self.trusted_selectors:
            found = [n for n in select_own(self.soup, selector) if text_of(n)]
            if found:
                return found[0]
        return None

    def _named_container(self) -> Tag | None:
        for selector in self.body_selectors:
            found = [n for n in select_own(self.soup, selector) if text_of(n)]
            if found:
                return found[0]
        return None

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
        body_classes = " ".join(classes(body_of(self.soup)))
        return "error404" in body_classes or bool(_NOT_FOUND.search(title) and len(title) < 60)

    def _has_body(self) -> bool:
        element = self.body_element()
        return element is not None and len(text_of(element)) >= SUBSTANTIAL


def largest_block(root: Tag) -> Tag:
    """Readability-style: the element whose paragraphs hold the most text, links discounted."""
    scores: dict[Tag, float] = {}
    for para in root.iterdescendants("p", "pre", "blockquote"):
        text = text_of(para)
        if len(text) < 25 or any(is_junk(a) for a in para.iterancestors()):
            continue
        links = sum(len(text_of(a)) for a in para.iterdescendants("a"))
        score = (1 + min(len(text) / 100, 3) + text.count(",")) * (1 - links / len(text))
        parent = para.getparent()
        for depth, element in enumerate(
            (parent, parent.getparent() if parent is not None else None)
        ):
            if element is not None:
                scores[element] = scores.get(element, 0) + score / (depth + 1)
    if not scores:
        return root
    return max(scores, key=lambda key: scores[key])
