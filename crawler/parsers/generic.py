"""Generic fallback page: JSON-LD → microdata → meta → hAtom/<article>/<main>/largest block."""

from __future__ import annotations

import html
import re
from functools import cached_property
from typing import ClassVar

from . import authors as names
from .base import PostPage
from .bylines import (
    class_bylines,
    first_people,
    full_name,
    inline_bylines,
    publisher_key,
    site_keys,
    text_bylines,
)
from .dom import Element as Tag
from .dom import (
    body_of,
    classes,
    clean_text,
    is_foreign,
    meta_content,
    select,
    select_own,
    text_of,
)
from .kinds import (
    ERROR,
    LISTING,
    OWN_TEXT,
    PAGE,
    POST,
    SHORT_PAGE,
    SHORT_POST,
    Kind,
    Shape,
    class_kind,
    is_binary,
    is_dated_url,
    jsonld_kind,
    page_shape,
)
from .text import is_junk
from .titles import (
    choose,
    heading_element,
    heading_title,
    is_site_name,
    main_heading,
    site_heading,
    sole_heading,
    strip_site,
    visible_text,
)

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
    # The usual places of the generators without a page object of their own (Hexo,
    # Eleventy, Gatsby…).
    feed_paths: ClassVar[tuple[str, ...]] = ("/feed.xml", "/atom.xml", "/rss.xml")
    sitemap_paths: ClassVar[tuple[str, ...]] = ("/sitemap.xml",)
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
        """The post's ``<h1>`` when the metadata titles agree with it (or it is the page's
        only one, in the post), else the metadata title; site names stripped either way."""
        candidates = (
            self.jsonld_value("headline"),
            meta_content(self.soup, "og:title"),
            meta_content(self.soup, "twitter:title"),
            self._html_title(),
        )
        raw = [clean_text(html.unescape(t)) for t in candidates if isinstance(t, str)]
        metadata = [strip_site(t, self._site_names) for t in raw if t]
        element = heading_element(self.scope, self.soup, self.publishers, metadata)
        if element is None:
            return self._fallback_title
        heading = heading_title(element, [*metadata, *raw])
        chosen = choose(heading, metadata, None)
        if chosen is None and sole_heading(element, self.scope):
            return heading
        return chosen or self._fallback_title

    @cached_property
    def _fallback_title(self) -> str | None:
        """The metadata title, else the ``<title>``; never the site's name."""
        for title in (self._metadata_title(), self._stripped_title()):
            stripped = self._strip(title) if title else ""
            if stripped and not is_site_name(stripped, self._own_names):
                return stripped
        return None

    @cached_property
    def _site_names(self) -> frozenset[str]:
        """The publishers plus the names the page sets as logo headings."""
        return self.publishers | self._own_names

    @cached_property
    def _own_names(self) -> frozenset[str]:
        """The host's names and the logo headings' (the metadata's site names can be wrong)."""
        return site_keys(
            self.url, [visible_text(h) for h in self.soup.iter("h1") if site_heading(h)]
        )

    def _strip(self, title: str) -> str:
        return strip_site(clean_text(html.unescape(title)), self._site_names)

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
        title = self._html_title()
        if title and publisher_key(title, self._site_names):
            title = None
        if not title or self.scope is not body_of(self.soup):
            heading = main_heading(self.scope, self.soup, self.publishers)
            if heading or not title:
                return heading
        stripped = self._strip(title)
        parts = _TITLE_SEPARATORS.split(stripped)
        if stripped != title:
            return max(parts, key=len)
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
        """The first source naming a person, visible labelled bylines before ``<meta
        name=author>`` (often the site's owner or web agency); the site's own name only
        when no source names a person."""
        found = first_people(
            (
                self.structured_authors,
                self.byline_authors,
                lambda: class_bylines(self.scope) if self.scope is not body_of(self.soup) else [],
                lambda: text_bylines(self.scope),
                lambda: inline_bylines(self.scope),
                self.meta_authors,
                lambda: class_bylines(self.soup),
                lambda: inline_bylines(self.soup) if self.scope is not body_of(self.soup) else [],
                self.reviewer_authors,
            ),
            self.publishers,
        )
        return full_name(found, lambda: text_bylines(self.scope))

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

    @cached_property
    def page_kind(self) -> Kind:
        """The platform's word first, then schema.org and ``og:type``, then the page's shape."""
        if is_binary(self._html):
            return Kind(ERROR, "not text: binary data served as HTML")
        if self._looks_like_404():
            return Kind(ERROR, "the page is an error (404) page")
        urls = (self.url, self.canonical_url() or "")
        stated = self.platform_kind() or class_kind(body_of(self.soup))
        stated = stated or jsonld_kind(self.jsonld, urls)
        if stated is not None and stated.kind == PAGE and self.shape.is_listing:
            return Kind(LISTING, f"{stated.reason}, but a list of links to other pages")
        if stated is not None:
            return stated
        if meta_content(self.soup, "og:type").lower() == "article":
            return Kind(POST, "a post (og:type article)")
        shape = self.shape
        if shape.is_teaser_list:
            return Kind(LISTING, f"a listing: {shape.teasers} teasers, little text of its own")
        if self._article_markup():
            return Kind(POST, "a post (article markup)")
        if shape.is_link_list:
            return Kind(LISTING, "a listing: mostly links to other pages of the site")
        dated = is_dated_url(self.url) or self.published() is not None
        if shape.own_text >= OWN_TEXT and (shape.heading or shape.prose >= SHORT_POST):
            return Kind(POST, "a dated page of text") if dated else Kind(PAGE, "a page of text")
        if dated and shape.heading and shape.own_text >= SHORT_POST:
            return Kind(POST, "a short post with a heading and a date")
        if shape.heading and shape.prose >= SHORT_PAGE:
            return Kind(PAGE, "a short page: a heading and a few paragraphs")
        return Kind(LISTING, "no article markup and little text of its own", settled=False)

    def platform_kind(self) -> Kind | None:
        """The kind the platform's own markup or URL rules state, if any."""
        return None

    @cached_property
    def shape(self) -> Shape:
        return page_shape(self.soup, self.url)

    def _article_markup(self) -> bool:
        """One hAtom/h-entry post with a title, a microdata article, or one ``<article>``
        holding a heading and a ``<time>``."""
        if self.main_item is not None:
            return True
        entries = _outermost(select_own(self.soup, ".hentry, .h-entry"))
        if len(entries) == 1 and select(entries[0], ".entry-title, .p-name, h1, h2"):
            return True
        articles = _outermost([a for a in self.soup.iter("article") if not is_foreign(a)])
        return len(articles) == 1 and bool(
            select(articles[0], "h1, h2") and next(articles[0].iter("time"), None) is not None
        )

    def _looks_like_404(self) -> bool:
        title = self._html_title() or ""
        body_classes = " ".join(classes(body_of(self.soup)))
        return "error404" in body_classes or bool(_NOT_FOUND.search(title) and len(title) < 60)


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


def _outermost(elements: list[Tag]) -> list[Tag]:
    """``elements`` without those nested in another of them."""
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]
