"""WordPress: _s-style bylines, Yoast ``@graph``, per-theme body containers, rating plugins."""

from __future__ import annotations

from functools import cached_property

from . import authors as names
from .dom import Element as Tag
from .dom import body_of, classes, select_own, text_of
from .generic import GenericPage
from .kinds import ERROR, LISTING, PAGE, POST, Kind

_NON_POST_CLASSES = {
    "archive": "an archive listing",
    "category": "a category listing",
    "tag": "a tag listing",
    "author": "an author listing",
    "date": "a date archive",
    "blog": "the blog index",
    "search": "a search results page",
    "attachment": "an attachment page",
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
    generators = ("wordpress",)
    fingerprints = ("/wp-content/", "/wp-includes/", "api.w.org", "wp-json")
    feed_paths = ("/feed/",)
    sitemap_paths = ("/sitemap_index.xml", "/wp-sitemap.xml")  # Yoast's; WordPress's own
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

    def platform_kind(self) -> Kind | None:
        """WordPress's body classes: ``single`` posts, ``page`` pages, archives and the rest."""
        found = set(self.body_classes)
        if "error404" in found:
            return Kind(ERROR, "a 404 page (body class 'error404')")
        if "single" in found and "attachment" not in found:
            return Kind(POST, "a post (body class 'single')")
        if "page" in found:
            return Kind(PAGE, "a static WordPress page (body class 'page')")
        for cls, why in _NON_POST_CLASSES.items():
            if cls in found:
                return Kind(LISTING, f"{why} (body class {cls!r})")
        if "home" in found:
            return Kind(LISTING, "the home page (body class 'home')")
        return None

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
