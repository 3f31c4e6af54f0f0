"""Read-only access to one data directory for the web UI: search, posts, captures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import catalog
from archive.datadir import DataDir
from archive.records import PostRecord
from archive.search.index import SearchHit, SearchIndex
from archive.web.captures import Capture, CaptureIndex, warc_path
from archive.web.posts import Catalog, Entry, post_id, read_record
from archive.web.replay import Payload, read_payload


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
    """One data directory, opened lazily; safe to share between request threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.catalog = Catalog(DataDir(data_dir).items_dir)
        self.captures = CaptureIndex(DataDir(data_dir).warc_dir)
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

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
        return sorted({v[-1].site for v in self.catalog.posts().values() if v[-1].site})

    def post(self, ident: str, version: int | None = None) -> Post | None:
        """The post with id ``ident`` (its latest version, or ``version``), or None."""
        url = self.catalog.url_for(ident)
        if url is None:
            return None
        entries = self.catalog.versions(url)
        records = [r for r in map(read_record, entries) if r is not None]
        shown = catalog.pick(records, version)
        if shown is None:
            return None
        rows = capture_rows(self.captures.for_url(url), entries)
        return Post(id=ident, record=shown, versions=records, captures=rows)

    def capture(self, filename: str, offset: int) -> Capture | None:
        return self.captures.at(filename, offset)

    def payload(self, capture: Capture) -> Payload | None:
        """The response a capture shows (a revisit's original), or None if it is gone."""
        original = self.captures.original(capture)
        if original is None:
            return None
        path = warc_path(DataDir(self.data_dir).warc_dir, original.filename)
        if path is None:
            return None
        return read_payload(path, original.offset, original.record_id)

    def capture_links(self) -> Callable[[str], str | None]:
        """URL → the raw capture of the latest version of that post, or None if not archived."""
        posts = self.catalog.posts()  # one snapshot for all the links of a page

        def link(url: str) -> str | None:
            versions = posts.get(url)
            entry = versions[-1] if versions else None
            if entry is None or entry.warc_file is None or entry.warc_offset is None:
                return None
            return f"/captures/{entry.warc_file}/{entry.warc_offset}/raw"

        return link

    def asset_links(self, as_of: str) -> Callable[[str], str | None]:
        """URL → the raw capture of that image or stylesheet as it was at ``as_of`` (its
        latest 200 response then, else its first one), or None if not archived."""

        def link(url: str) -> str | None:
            full = [c for c in self.captures.for_url(url) if c.kind == "response"]
            full = [c for c in full if c.status == 200]
            if not full:
                return None
            then = [c for c in full if c.date <= as_of]
            shown = then[-1] if then else full[0]
            return f"/captures/{shown.filename}/{shown.offset}/raw"

        return link


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
