"""One page read whole: everything the spider asks of it, in one picklable value.

:func:`read_page` parses a page once and asks its page object, in the spider's order, for
its links, its kind, its canonical address, its record and its requisites. The spider
runs it inline or in a worker process (:mod:`crawler.parsing`), so that
parsing, most of a crawl's CPU, can use a second core while the crawl's own process
fetches and archives. The spider's state (its feed entries, its scope) is not read here:
the spider applies it to the reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.records import PostRecord

from .kinds import Kind
from .navigation import Links
from .platforms import page_for
from .requisites import Requisites, page_requisites

__all__ = ["Reading", "read_page"]


@dataclass(frozen=True)
class Reading:
    """What a page is and where it leads, as its page object found it."""

    url: str
    platform: str
    links: Links
    kind: Kind
    canonical: str | None
    """Its canonical URL when that names another address (in scope or not)."""
    record: PostRecord | None
    """Its record, if it is an item, or would be one were it listed in the blog's feed."""
    requisites: Requisites | None
    """Its requisites, when asked for and it has a record."""

    def canonical_elsewhere(self, in_scope: Callable[[str], bool]) -> str | None:
        """As :meth:`PostPage.canonical_elsewhere`: the canonical URL, if in scope."""
        return self.canonical if self.canonical and in_scope(self.canonical) else None


def read_page(
    url: str,
    body: str | bytes,
    *,
    platform: str = "auto",
    encoding: str | None = None,
    requisites: bool = False,
) -> Reading:
    """Parse ``body`` once and read all of it (see :class:`Reading`)."""
    page = page_for(url, body, platform=platform, encoding=encoding)
    links = page.links()
    kind = page.page_kind
    canonical = page.canonical_elsewhere(lambda _: True)  # the spider judges its scope
    record = page.extract() if kind.in_feed().is_item else None
    found = page_requisites(page) if requisites and record is not None else None
    return Reading(
        url=page.url,
        platform=page.platform,
        links=links,
        kind=kind,
        canonical=canonical,
        record=record,
        requisites=found,
    )
