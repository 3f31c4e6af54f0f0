"""Read-only access to one data directory for the web UI: search, posts, captures."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import catalog
from archive.catalog import open_catalog
from archive.datadir import DataDir
from archive.records import PostRecord
from archive.search.index import SearchHit, SearchIndex
from archive.state.catalog import Catalog
from archive.web.captures import Capture, warc_path
from archive.web.posts import Entry, post_id, read_record
from archive.web.replay import Payload, read_payload
from archive.web.stats import Sizes, Stats, post_stats, sizes

logger = logging.getLogger(__name__)
SIZES_MAX_AGE = 60.0
"""Seconds the archive's size may lag (it walks every file)."""


class NoIndexError(RuntimeError):
    """The data directory has no search index yet."""


@dataclass(frozen=True, kw_only=True)
class CaptureRow:
    """A capture of a post, as the post page lists it."""

    capture: Capture
    label: str
    """``new version 2``, ``same content``, ``revisit (unchanged)``, ``revisit (not modified)``."""
    version: int | None


@dataclass(frozen=True, kw_only=True)
class Post:
    """A post: the shown version, every version, and every capture."""

    id: str
    record: PostRecord
    versions: list[PostRecord]
    captures: list[CaptureRow]


class Store:
    """One data directory; safe to share between request threads.

    Posts and captures are indexed queries on the catalog (opened here, so the first
    request finds it ready); records are read from their files on demand.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.catalog: Catalog = open_catalog(data_dir, threads=True)
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._db = threading.Lock()  # one connection, one query at a time
        self._sizes: tuple[float, Sizes] | None = None
        self._sizes_lock = threading.Lock()
        threading.Thread(target=self._warm, daemon=True).start()

    def _warm(self) -> None:
        """Measure the archive's size before anyone asks."""
        try:
            self._walk()
        except OSError as exc:
            logger.warning("could not measure the archive: %s", exc)

    def search(self, query: str, **filters: Any) -> list[SearchHit]:
        """:meth:`SearchIndex.search` (keyword filters passed through), one at a time."""
        with self._lock:
            return self._search_index().search(query, **filters)

    def _search_index(self) -> SearchIndex:
        if self._index is None:
            path = DataDir(self.data_dir).index_dir
            if not (path / "meta.json").exists():
                raise NoIndexError(f"no search index in {self.data_dir}")
            self._index = SearchIndex(path)
        return self._index

    def sites(self) -> list[str]:
        with self._db:
            return self.catalog.sites()

    def latest(self, url: str) -> Entry | None:
        with self._db:
            return self.catalog.latest(url)

    def post(self, ident: str, version: int | None = None) -> Post | None:
        """The post with id ``ident`` (its latest version, or ``version``), or None."""
        with self._db:
            url = self.catalog.url_for(ident)
            entries = self.catalog.versions(url) if url else []
            captures = self.catalog.captures(url) if url else []
        records = [r for r in map(read_record, entries) if r is not None]
        shown = catalog.pick(records, version)
        if shown is None:
            return None
        return Post(
            id=ident, record=shown, versions=records, captures=capture_rows(captures, entries)
        )

    def capture(self, filename: str, offset: int) -> Capture | None:
        with self._db:
            return self.catalog.capture_at(filename, offset)

    def original(self, capture: Capture) -> Capture | None:
        """The response record a capture shows: itself, or the one a revisit refers to."""
        with self._db:
            return self.catalog.original(capture)

    def payload(self, capture: Capture) -> Payload | None:
        """The response a capture shows (a revisit's original), or None if it is gone."""
        original = self.original(capture)
        if original is None:
            return None
        path = warc_path(DataDir(self.data_dir).warc_dir, original.filename)
        if path is None:
            return None
        return read_payload(path, original.offset, original.record_id)

    def capture_links(self) -> Callable[[str], str | None]:
        """URL → the raw capture of the latest version of that post, or None if not archived."""

        def link(url: str) -> str | None:
            entry = self.latest(url)
            if entry is None or entry.warc_file is None or entry.warc_offset is None:
                return None
            return f"/captures/{entry.warc_file}/{entry.warc_offset}/raw"

        return link

    def asset_links(self, as_of: str) -> Callable[[str], str | None]:
        """URL → the raw capture of that image or stylesheet as it was at ``as_of`` (its
        latest 200 response then, else its first one), or None if not archived."""

        def link(url: str) -> str | None:
            with self._db:
                captures = self.catalog.captures(url)
            full = [c for c in captures if c.kind == "response"]
            full = [c for c in full if c.status == 200]
            if not full:
                return None
            then = [c for c in full if c.date <= as_of]
            shown = then[-1] if then else full[0]
            return f"/captures/{shown.filename}/{shown.offset}/raw"

        return link

    def changes(self, limit: int) -> list[tuple[Entry, Entry]]:
        """The newest new versions, each with the version before it."""
        with self._db:
            return self.catalog.changes(limit)

    def stats(self) -> Stats:
        """The archive's post stats, read from the catalog's summary (milliseconds at any
        size: it is kept as versions are written)."""
        with self._db:
            return post_stats(self.catalog)

    def sizes(self) -> Sizes:
        """The archive's size on disk: a walk of every file, so done in the background
        (from the start, then at most once a minute)."""
        cached = self._sizes
        if cached is None:
            return self._walk()
        if time.monotonic() - cached[0] > SIZES_MAX_AGE and not self._sizes_lock.locked():
            threading.Thread(target=self._warm, daemon=True).start()
        return cached[1]

    def _walk(self) -> Sizes:
        with self._sizes_lock:
            cached = self._sizes
            if cached is None or time.monotonic() - cached[0] > SIZES_MAX_AGE:
                cached = self._sizes = (time.monotonic(), sizes(self.data_dir))
            return cached[1]


def capture_rows(captures: list[Capture], entries: list[Entry]) -> list[CaptureRow]:
    """Label each capture: which version it brought, or what kind of revisit it was."""
    versions = {e.record_id: e.version for e in entries if e.record_id}
    return [_row(capture, versions) for capture in captures]


def _row(capture: Capture, versions: dict[str, int | None]) -> CaptureRow:
    if capture.kind == "revisit":
        label = "revisit (not modified)" if capture.not_modified else "revisit (unchanged)"
        return CaptureRow(capture=capture, label=label, version=None)
    if capture.record_id in versions:
        version = versions[capture.record_id]
        return CaptureRow(
            capture=capture, label=f"new version {version or ''}".strip(), version=version
        )
    return CaptureRow(capture=capture, label="same content", version=None)


__all__ = ["CaptureRow", "NoIndexError", "Post", "Store", "post_id"]
