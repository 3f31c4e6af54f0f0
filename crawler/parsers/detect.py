"""Which platform produced a page: the generator meta first, then the host, then markup
fingerprints. What to look for is each page class's own declaration (:mod:`.platforms`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .base import PostPage

_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_GENERATOR = re.compile(r"""name\s*=\s*["']?generator\b""", re.IGNORECASE)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SNIFF_CHARS = 400_000


def generator(text: str) -> str:
    """The content of ``<meta name=generator>``, lower-cased ("" when absent)."""
    for tag in _META.findall(text[:_SNIFF_CHARS]):
        if _GENERATOR.search(tag) and (match := _CONTENT.search(tag)):
            return next(g for g in match.groups() if g is not None).lower()
    return ""


def sniff_platform(text: str, url: str | None, pages: Collection[type[PostPage]]) -> str | None:
    """The platform of the first of ``pages`` that the page's generator, then its host, then
    its markup names; None when none does."""
    gen = generator(text)
    for page in pages:
        if any(needle in gen for needle in page.generators):
            return page.platform
    host = urlsplit(url or "").hostname or ""
    for page in pages:
        if any(fnmatchcase(host, pattern) for pattern in page.hosts):
            return page.platform
    # Plain substring tests: a case-insensitive regex over 400 KB costs milliseconds.
    sample = text[:_SNIFF_CHARS].lower()
    for page in pages:
        if any(needle in sample for needle in page.fingerprints):
            return page.platform
    return None
