"""What the stats page shows: sites and their posts, posts per month, runs, disk use.

Standalone pages (about pages...) are counted apart: the versions, posts per month and the
dates of the oldest and newest post are those of posts only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archive.datadir import DataDir
from archive.state import catalog_summary
from archive.state.catalog import Catalog
from archive.state.runs import Run, RunLog

UNKNOWN_SITE = "(no site)"


@dataclass(frozen=True, kw_only=True)
class SiteStats:
    name: str
    posts: int
    pages: int
    """Standalone pages (``kind`` ``page``), not counted in ``posts``."""
    versions: int
    """Versions of its posts."""
    first_published: str | None
    last_published: str | None
    last_fetched: str | None


@dataclass(frozen=True, kw_only=True)
class Sizes:
    warc: int
    items: int
    index: int
    history: int

    @property
    def total(self) -> int:
        return self.warc + self.items + self.index + self.history


@dataclass(kw_only=True)
class Stats:
    sites: list[SiteStats]
    per_month: dict[str, Counter[str]] = field(default_factory=dict)
    """Site → ``YYYY-MM`` → number of posts published that month (latest versions)."""

    @property
    def posts(self) -> int:
        return sum(site.posts for site in self.sites)

    @property
    def pages(self) -> int:
        return sum(site.pages for site in self.sites)

    @property
    def versions(self) -> int:
        return sum(site.versions for site in self.sites)


def post_stats(catalog: Catalog) -> Stats:
    """Sites, posts and versions, and posts per month, read from the catalog's summary of
    each URL's latest version (:mod:`archive.state.catalog_summary`): a few small reads at
    any size, the same numbers as :func:`scanned_stats`."""
    if catalog.unsummed():  # a read-only catalog from before the summary: no other way
        return scanned_stats(catalog)
    db = catalog.db
    with catalog_summary.snapshot(db):
        counts = catalog_summary.counts(db)
        dates = {site: catalog_summary.site_dates(db, site) for site in {c[0] for c in counts}}
    sites: dict[str, _Site] = {}
    per_month: dict[str, Counter[str]] = {}
    for site, kind, month, urls, versions in counts:
        name = site or UNKNOWN_SITE
        found = sites.get(name) or sites.setdefault(name, _Site(name))
        found.count(kind == "post", urls, versions)
        if kind == "post" and month:
            per_month.setdefault(name, Counter())[month] += urls
    for site, (first, last, fetched) in dates.items():
        sites[site or UNKNOWN_SITE].dates(first, last, fetched)
    return Stats(sites=[sites[n].done() for n in sorted(sites)], per_month=per_month)


def scanned_stats(catalog: Catalog) -> Stats:
    """:func:`post_stats` worked out by one pass over every version instead (seconds at a
    million posts): what the summary must always agree with (tests, benchmarks)."""
    sites: dict[str, _Site] = {}
    per_month: dict[str, Counter[str]] = {}
    for site, kind, published, fetched, _, versions in catalog.latest_rows():
        name = site or UNKNOWN_SITE
        found = sites.get(name) or sites.setdefault(name, _Site(name))
        post = kind == "post"
        found.count(post, 1, versions)
        found.dates(published if post else None, published if post else None, fetched)
        month = _month(published) if post else None
        if month:
            per_month.setdefault(name, Counter())[month] += 1
    return Stats(sites=[sites[n].done() for n in sorted(sites)], per_month=per_month)


class _Site:
    """A site's counts as they are added up."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.posts = self.pages = self.versions = 0
        self.first: str | None = None
        self.last: str | None = None
        self.fetched: str | None = None

    def count(self, post: bool, urls: int, versions: int) -> None:
        """``urls`` latest versions of posts (with ``versions`` versions), or of pages."""
        if post:
            self.posts += urls
            self.versions += versions
        else:
            self.pages += urls

    def dates(self, first: str | None, last: str | None, fetched: str | None) -> None:
        """Widen the site's published range and last fetch (empty dates are none)."""
        if first and (self.first is None or first < self.first):
            self.first = first
        if last and (self.last is None or last > self.last):
            self.last = last
        if fetched and (self.fetched is None or fetched > self.fetched):
            self.fetched = fetched

    def done(self) -> SiteStats:
        return SiteStats(
            name=self.name,
            posts=self.posts,
            pages=self.pages,
            versions=self.versions,
            first_published=self.first,
            last_published=self.last,
            last_fetched=self.fetched,
        )


def _month(published: str | None) -> str | None:
    """``YYYY-MM`` of an ISO date, or None."""
    if not published or len(published) < 7 or published[4] != "-":
        return None
    return published[:7]


def sizes(data_dir: Path) -> Sizes:
    layout = DataDir(data_dir)
    return Sizes(
        warc=_tree_size(layout.warc_dir),
        items=_tree_size(layout.items_dir),
        index=_tree_size(layout.index_dir),
        history=_tree_size(layout.history_path),
    )


def _tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    total = 0
    for child in path.rglob("*"):
        try:
            total += child.stat().st_size if child.is_file() else 0
        except OSError:
            continue
    return total


def runs(data_dir: Path, *, site: str | None = None, limit: int = 50) -> list[Run]:
    """The latest runs, newest first (none when there is no run history yet)."""
    path = DataDir(data_dir).history_path
    if not path.exists():
        return []
    try:
        log = RunLog(path)
    except sqlite3.Error:
        return []  # unreadable (a read-only copy, say): the stats page goes on without runs
    try:
        return log.list(site=site, limit=limit)
    except sqlite3.Error:
        return []
    finally:
        log.close()


def human_size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
