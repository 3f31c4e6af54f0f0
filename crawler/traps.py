"""Spider middlewares: crawler-trap detection.

See Scrapy's docs/topics/spider-middleware.rst. :class:`TrapDetectionMiddleware` drops
requests, before they are scheduled, whose URL looks like a crawler trap: an endless
calendar, relative links that pile up path segments, a "next" chain without end.
The rules are pure functions (:func:`trap_reason`, :func:`url_pattern`) so they can be
tested without a crawl.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# A year-and-month in a URL: /2031/01/, 2031-01, and WordPress's ?m=203101 (query only).
_PATH_MONTH = re.compile(r"/(\d{4})/(?:0[1-9]|1[0-2])(?:/|$)")
_DASH_MONTH = re.compile(r"(?<!\d)(\d{4})-(?:0[1-9]|1[0-2])(?!\d)")
_QUERY_MONTH = re.compile(r"=(\d{4})(?:0[1-9]|1[0-2])(?:\d{2})?(?:&|$)")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, kw_only=True)
class TrapRules:
    """Limits a URL must stay within; defaults as in ``crawler/settings.py``."""

    max_path_depth: int = 12
    """Most path segments (``/a/b/c/`` has 3)."""
    max_path_repeats: int = 3
    """Most times one path segment may occur (``/a/b/a/b/a/b/a/`` has ``a`` 4 times)."""
    max_pages_per_pattern: int = 1000
    """Most pages reached from a page of the same pattern (digits masked): a "next" chain."""
    min_year: int = 1990
    """Earliest year a dated URL may name (a calendar walking back)."""
    max_future_years: int = 1
    """Latest year a dated URL may name, counted from this year (a calendar walking on)."""


def url_pattern(url: str) -> str:
    """The URL with every run of digits masked: ``/calendar/2024/01/`` → ``/calendar/#/#/``."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return _DIGITS.sub("#", f"{parts.netloc}{parts.path}{query}")


def trap_reason(url: str, rules: TrapRules, this_year: int) -> str | None:
    """Why ``url`` looks like a trap on its own (``path_depth``, ...), or None."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > rules.max_path_depth:
        return "path_depth"
    if segments and max(Counter(segments).values()) > rules.max_path_repeats:
        return "path_repeats"
    years = _years(parts.path, parts.query)
    if any(not rules.min_year <= y <= this_year + rules.max_future_years for y in years):
        return "date_range"
    return None


def _years(path: str, query: str) -> list[int]:
    found = _PATH_MONTH.findall(path) + _DASH_MONTH.findall(path + "?" + query)
    found += _QUERY_MONTH.findall(query)
    return [int(y) for y in found]


class TrapDetectionMiddleware(BaseSpiderMiddleware):
    """Drops trap-like requests from spider output; counts them in ``blogarchive/traps/*``.

    Settings: ``TRAP_ENABLED`` and the ``TRAP_*`` limits of :class:`TrapRules`.
    Start requests (no source response) always pass.
    """

    def __init__(self, crawler: Crawler, rules: TrapRules, this_year: int) -> None:
        super().__init__(crawler)
        self.rules = rules
        self.this_year = this_year
        self.chains: Counter[str] = Counter()
        self.logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("TRAP_ENABLED"):
            raise NotConfigured("TRAP_ENABLED is off")
        values = {
            name: settings.getint(f"TRAP_{name.upper()}", default)
            for name, default in vars(TrapRules()).items()
        }
        floor = {"max_future_years": 0}
        bad = [f"TRAP_{n.upper()} ({v!r})" for n, v in values.items() if v < floor.get(n, 1)]
        if bad:
            raise NotConfigured(f"{', '.join(bad)}: must be positive")
        return cls(crawler, TrapRules(**values), datetime.now(UTC).year)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is None:
            return request
        reason = trap_reason(request.url, self.rules, self.this_year)
        reason = reason or self._chain_reason(request.url, response.url)
        if reason is None:
            return request
        self._count(reason, request.url)
        return None

    def _chain_reason(self, url: str, source: str) -> str | None:
        pattern = url_pattern(url)
        if pattern != url_pattern(source):
            return None
        self.chains[pattern] += 1
        return "pattern" if self.chains[pattern] > self.rules.max_pages_per_pattern else None

    def _count(self, reason: str, url: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"blogarchive/traps/{reason}")
        if reason not in self.logged:
            self.logged.add(reason)
            logger.info("crawler trap (%s), dropping URLs like %s", reason, url)
