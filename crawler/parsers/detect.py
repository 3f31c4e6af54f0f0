"""Which platform produced a page: the generator meta first, then markup fingerprints."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .decoding import decode_html

_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_GENERATOR = re.compile(r"""name\s*=\s*["']?generator\b""", re.IGNORECASE)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_GENERATORS = (
    ("blogger", "blogger"),
    ("wordpress", "wordpress"),
    ("ghost", "ghost"),
    ("hugo", "hugo"),
    ("jekyll", "jekyll"),
    ("substack", "substack"),
    ("medium", "medium"),
)
# Fingerprints, strongest first: lower-case substrings specific to each platform's own markup
# (plain substring tests: a case-insensitive regex over 400 KB costs milliseconds).
_FINGERPRINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "blogger",
        (
            "blogger.com/static",
            "blogger.com/feeds",
            "blogger.com/dyn-css",
            "_widgetmanager",
            "b:skin",
            "blogblog.com",
        ),
    ),
    ("wordpress", ("/wp-content/", "/wp-includes/", "api.w.org", "wp-json")),
    ("ghost", ("ghost-portal", "ghost-sdk", "/ghost/api/", "gh-content")),
    ("substack", ("substackcdn.com", "substack.com/api")),
    ("medium", ("com.medium.reader", "miro.medium.com", "cdn-images-1.medium.com")),
    ("devto", ('id="article-show-container"', "dev-to-uploads", "forem")),
    ("jekyll", ("begin jekyll seo tag",)),
)
_SNIFF_CHARS = 400_000


def generator(text: str) -> str:
    """The content of ``<meta name=generator>``, lower-cased ("" when absent)."""
    for tag in _META.findall(text[:_SNIFF_CHARS]):
        if _GENERATOR.search(tag) and (match := _CONTENT.search(tag)):
            return next(g for g in match.groups() if g is not None).lower()
    return ""


def detect_platform(html: str | bytes, url: str | None = None) -> str:
    """``blogger``, ``wordpress``, ``ghost``, ``medium``, ``substack``, ``devto``, ``hugo``,
    ``jekyll`` or ``generic``."""
    text = decode_html(html)
    gen = generator(text)
    for needle, platform in _GENERATORS:
        if needle in gen:
            return platform
    host = urlsplit(url or "").hostname or ""
    if host.endswith(".blogspot.com") or ".blogspot." in host:
        return "blogger"
    if host == "dev.to":
        return "devto"
    if host.endswith(".substack.com"):
        return "substack"
    if host == "medium.com" or host.endswith(".medium.com"):
        return "medium"
    sample = text[:_SNIFF_CHARS].lower()
    return next((p for p, needles in _FINGERPRINTS if any(n in sample for n in needles)), "generic")
