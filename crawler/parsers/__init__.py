"""Post parsers ("page objects"): one class per blog platform, plus a generic fallback.

``parse_post(url, html)`` detects the platform, picks its page class and returns a
:class:`~archive.records.PostRecord`, or raises :class:`NotAPost` for listing, static and
error pages; ``page_for(url, html).links()`` gives the page's links from the same tree;
``parse_feed_entry`` reads one Atom feed entry. Plain classes on lxml (one parse per page),
trafilatura as the generic body extractor: no Scrapy here. The platforms are declared in
:mod:`.platforms`.
"""

from __future__ import annotations

from archive.records import PostRecord

from .base import NotAPost, PostPage
from .blogger import BloggerPage
from .feed import parse_feed_entry
from .generic import GenericPage
from .platforms import (
    FEED_PROBES,
    PAGE_CLASSES,
    PLATFORMS,
    SITEMAP_PROBES,
    DevtoPage,
    GhostPage,
    HugoPage,
    JekyllPage,
    MediumPage,
    SubstackPage,
    detect_platform,
    page_for,
)
from .wordpress import WordPressPage


def parse_post(
    url: str, html: str | bytes, *, platform: str = "auto", encoding: str | None = None
) -> PostRecord:
    """Parse one post page; raises :class:`NotAPost` when it is not a single post page."""
    return page_for(url, html, platform=platform, encoding=encoding).to_item()


__all__ = [
    "FEED_PROBES",
    "PAGE_CLASSES",
    "PLATFORMS",
    "SITEMAP_PROBES",
    "BloggerPage",
    "DevtoPage",
    "GenericPage",
    "GhostPage",
    "HugoPage",
    "JekyllPage",
    "MediumPage",
    "NotAPost",
    "PostPage",
    "SubstackPage",
    "WordPressPage",
    "detect_platform",
    "page_for",
    "parse_feed_entry",
    "parse_post",
]
