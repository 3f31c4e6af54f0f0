"""WordPress: _s-style bylines, Yoast ``@graph``, per-theme body containers, rating plugins."""

from __future__ import annotations

from functools import cached_property

from . import authors as names
from .dom import Element as Tag
from .dom import body_of, classes, select_own, text_of
from .generic import GenericPage

_POST_CLASSES = ("single", "single-post")
_NON_POST_CLASSES = {
    "page": "a static WordPress page",
    "archive": "an archive listing",
    "category": "a category listing",
    "tag": "a tag listing",
    "author": "an author listing",
    "date": "a date archive",
    "home": "the home page",
    "blog": "the blog index",
    "search": "a search results page",
    "error404": "a 404 page",
}
BODY_SELECTORS = (
    ".entry-content",
    ".thn_post_wrap",
    ".post-content",
    ".td-post-content",
    ".single-content",
    ".post-entry",
    ".entry",
    "[itemprop~=articleBody]",
    ".article-content",
)
BYLINE_SELECTORS = (
    ".byline .author",
    ".entry-meta .author",
    ".posted-by .author",
    ".author.vcard",
    ".post-author",
    "a[rel~=author]",
    ".byline",
)


class WordPressPage(GenericPage):
    platform = "wordpress"
    body_selectors = BODY_SELECTORS
    title_selectors = (
        "h1.entry-title",
        ".entry-title",
        "h1.post-title",
        ".post-title",
        "h1.postitle",
    )

    @cached_property
    def body_classes(self) -> list[str]:
        return classes(body_of(self.soup))

    @cached_property
    def scope(self) -> Tag:
        """The main post: ``article.post``/``.hentry`` holding the body, else the generic one."""
        for selector in (
            "article.type-post",
            "article.post",
            ".hentry",
            "article",
            "#main",
            "main",
        ):
            found = select_own(self.soup, selector)
            if found:
                return found[0]
        return super().scope

    def not_a_post_reason(self) -> str | None:
        classes = set(self.body_classes)
        if classes & set(_POST_CLASSES) or any(c.startswith("single-format") for c in classes):
            return None
        for cls, why in _NON_POST_CLASSES.items():
            if cls in classes:
                return f"{why} (body class {cls!r})"
        return super().not_a_post_reason()

    def byline_authors(self) -> list[str]:
        for selector in BYLINE_SELECTORS:
            found = names.byline_names(select_own(self.scope, selector))
            if found:
                return found
        return []

    prefer_named_container = True

    def selector_container(self) -> Tag | None:
        return self._named_container()

    def _named_container(self) -> Tag | None:
        for selector in BODY_SELECTORS:
            found = select_own(self.scope, selector) or select_own(self.soup, selector)
            if found:
                return found[0]
        return None

    def tag_links(self) -> list[str]:
        links = select_own(self.scope, ".cat-links a, .tags-links a, a[rel~=tag]")
        return [text_of(a) for a in links]
