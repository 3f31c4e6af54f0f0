"""The blog platforms, declared once: the light page objects and the registry.

Ghost, Medium, Substack, dev.to, Hugo and Jekyll pages are the generic page plus their
selectors; Blogger and WordPress have modules of their own. Each page class declares its
``platform``, ``generators``, ``hosts``, ``fingerprints``, ``feed_paths`` and
``sitemap_paths``; :data:`PAGE_CLASSES` lists the classes once, and platform detection, the
discovery probes and the platforms a config may name (:mod:`crawler.config`) all derive
from it. Adding a platform is one class here (or a module) plus its fixtures.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import authors as names
from .base import PostPage
from .blogger import BloggerPage
from .decoding import decode_html
from .detect import sniff_platform
from .dom import attr, select_one, select_own
from .generic import GenericPage
from .wordpress import WordPressPage


class GhostPage(GenericPage):
    platform = "ghost"
    generators = ("ghost",)
    fingerprints = ("ghost-portal", "ghost-sdk", "/ghost/api/", "gh-content")
    feed_paths = ("/rss/",)
    sitemap_paths = ("/sitemap.xml",)
    trusted_selectors = ("section.gh-content", ".gh-content")
    body_selectors = (
        "section.gh-content",
        ".gh-content",
        ".post-content",
        ".post-full-content",
        *GenericPage.body_selectors,
    )


class MediumPage(GenericPage):
    platform = "medium"
    generators = ("medium",)
    hosts = ("medium.com", "*.medium.com")
    fingerprints = ("com.medium.reader", "miro.medium.com", "cdn-images-1.medium.com")
    feed_paths = ()  # none of its own (not GenericPage's)
    sitemap_paths = ()
    prefer_named_container = True
    body_selectors = ("article section", "article", *GenericPage.body_selectors)


class SubstackPage(GenericPage):
    platform = "substack"
    generators = ("substack",)
    hosts = ("*.substack.com",)
    fingerprints = ("substackcdn.com", "substack.com/api")
    feed_paths = ()  # none of its own (not GenericPage's)
    sitemap_paths = ()
    trusted_selectors = (".available-content .body.markup", ".body.markup")
    body_selectors = (
        ".available-content .body.markup",
        ".body.markup",
        ".available-content",
        *GenericPage.body_selectors,
    )


class DevtoPage(GenericPage):
    platform = "devto"
    hosts = ("dev.to",)
    # Forem's own meta tags (forem:name, forem:domain…), never the bare word: prose holds it
    # ("aforementioned").
    fingerprints = ('id="article-show-container"', "dev-to-uploads", 'name="forem:')
    feed_paths = ()  # none of its own (not GenericPage's)
    sitemap_paths = ()
    trusted_selectors = ("#article-body", ".crayons-article__body")
    body_selectors = ("#article-body", ".crayons-article__body", *GenericPage.body_selectors)

    def byline_authors(self) -> list[str]:
        """``data-author-name`` on the article container, else the header profile link."""
        container = select_one(self.soup, "#article-show-container[data-author-name]")
        if container is not None:
            return names.dedupe([attr(container, "data-author-name")], split=False)
        links = select_own(self.soup, "article header a.crayons-link.fw-bold")
        return names.byline_names(links[:1])


class HugoPage(GenericPage):
    platform = "hugo"
    generators = ("hugo",)
    feed_paths = ("/index.xml",)
    sitemap_paths = ("/sitemap.xml",)
    prefer_named_container = True
    body_selectors = (
        ".post-content",
        "article .content",
        ".entry-content",
        ".article-content",
        *GenericPage.body_selectors,
    )


class JekyllPage(GenericPage):
    platform = "jekyll"
    generators = ("jekyll",)
    fingerprints = ("begin jekyll seo tag",)
    feed_paths = ("/feed.xml",)
    sitemap_paths = ("/sitemap.xml",)
    prefer_named_container = True
    body_selectors = (
        ".post-content",
        ".e-content",
        "article .entry-content",
        ".page__content",
        *GenericPage.body_selectors,
    )


# Strongest fingerprints first (a WordPress page may embed Medium's images); the generic
# page, which matches anything, is the fallback and comes last.
PAGE_CLASSES: dict[str, type[PostPage]] = {
    page.platform: page
    for page in (
        BloggerPage,
        WordPressPage,
        GhostPage,
        SubstackPage,
        MediumPage,
        DevtoPage,
        JekyllPage,
        HugoPage,
        GenericPage,
    )
}
PLATFORMS = tuple(PAGE_CLASSES)
"""The platform names a site's config may give (besides ``auto``)."""


def _paths(found: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(path for paths in found for path in paths))


FEED_PROBES = _paths(page.feed_paths for page in PAGE_CLASSES.values())
"""Feed paths asked for on every blog: a missing one costs one 404."""
SITEMAP_PROBES = _paths(page.sitemap_paths for page in PAGE_CLASSES.values())


def detect_platform(html: str | bytes, url: str | None = None) -> str:
    """The platform of a page, by its generator meta, its host, then its markup; else
    ``generic``."""
    found = sniff_platform(decode_html(html), url, PAGE_CLASSES.values())
    return found or GenericPage.platform


def page_for(
    url: str, html: str | bytes, *, platform: str = "auto", encoding: str | None = None
) -> PostPage:
    """The page object for a page (an explicit ``platform`` wins over detection)."""
    text = decode_html(html, encoding)
    if platform == "auto":
        platform = detect_platform(text, url)
    if platform not in PAGE_CLASSES:
        raise ValueError(f"unknown platform {platform!r}; expected one of {sorted(PAGE_CLASSES)}")
    return PAGE_CLASSES[platform](url, text)
