"""Post parsers ("page objects"): one class per blog platform, plus a generic fallback.

``parse_post(url, html)`` detects the platform, picks its page class and returns a
:class:`~archive.records.PostRecord`, or raises :class:`NotAPost` for listing, static and
error pages; ``parse_feed_entry`` reads one Atom feed entry. Plain classes on lxml (one
parse per page), trafilatura as the generic body extractor: no Scrapy here.
"""

from __future__ import annotations

from archive.records import PostRecord

from .base import NotAPost, PostPage
from .blogger import BloggerPage
from .decoding import decode_html
from .detect import detect_platform
from .feed import parse_feed_entry
from .generic import GenericPage
from .light import DevtoPage, GhostPage, HugoPage, JekyllPage, MediumPage, SubstackPage
from .wordpress import WordPressPage

PAGE_CLASSES: dict[str, type[PostPage]] = {
    "blogger": BloggerPage,
    "wordpress": WordPressPage,
    "ghost": GhostPage,
    "medium": MediumPage,
    "substack": SubstackPage,
    "devto": DevtoPage,
    "hugo": HugoPage,
    "jekyll": JekyllPage,
    "generic": GenericPage,
}


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


def parse_post(
    url: str, html: str | bytes, *, platform: str = "auto", encoding: str | None = None
) -> PostRecord:
    """Parse one post page; raises :class:`NotAPost` when it is not a single post page."""
    return page_for(url, html, platform=platform, encoding=encoding).to_item()


__all__ = [
    "PAGE_CLASSES",
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
