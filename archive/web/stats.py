"""What the stats page shows: sites and their posts, posts per month, runs, disk use.

Standalone pages (about pages...) are counted apart: the versions, posts per month and the
dates of the oldest and newest post are those of posts only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.datadir import DataDir
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
    """Sites, posts and versions, and posts per month, aggregated by the catalog."""
    by_site: dict[str, list[tuple[Any, ...]]] = {}
    for row in catalog.site_rows():
        by_site.setdefault(row[0] or UNKNOWN_SITE, []).append(row)
    sites = [_site(name, rows) for name, rows in sorted(by_site.items())]
    per_month: dict[str, Counter[str]] = {}
    for site, month, count in catalog.month_rows():
        per_month.setdefault(site or UNKNOWN_SITE, Counter())[month] += count
    return Stats(sites=sites, per_month=per_month)


def _site(name: str, rows: list[tuple[Any, ...]]) -> SiteStats:
    posts = next((row for row in rows if row[1]), None)
    fetched = [row[6] for row in rows if row[6]]
    return SiteStats(
        name=name,
        posts=posts[2] if posts else 0,
        pages=sum(row[2] for row in rows if not row[1]),
        versions=posts[3] if posts else 0,
        first_published=posts[4] if posts else None,
        last_published=posts[5] if posts else None,
        last_fetched=max(fetched, default=None),
    )


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
