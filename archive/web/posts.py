"""The posts of an archive, read from its JSONL files: every version of every URL.

"Posts" here are all the archive's items: blog posts and standalone pages (``kind``).

The catalog keeps a light entry per JSONL line (URL, site, dates, where the line is)
and reads whole records from disk on demand, so it stays small for large archives.
Files are re-scanned when their size or modification time changes; a crawl writing
a ``.jsonl.open`` file is picked up on the next request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.datadir import jsonl_files
from archive.records import PostRecord
from archive.search.documents import record_order
from archive.web.scanned import ScannedFiles


def post_id(url: str) -> str:
    """The stable id of a post: the SHA-1 of its URL (UTF-8), 40 lowercase hex digits."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One JSONL line: enough of a post version to list it, and where to read it."""

    url: str
    site: str | None
    kind: str
    """``post`` or ``page`` (lines without the field are posts)."""
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    version: int | None
    fetched_at: str | None
    record_id: str | None
    """The WARC-Record-ID of the capture this version was parsed from."""
    warc_file: str | None
    warc_offset: int | None
    path: Path
    offset: int

    @property
    def order(self) -> tuple[int, str]:
        return record_order(self.version, self.fetched_at)


class Catalog:
    """Every post version in ``items_dir``, by URL and by id; safe to share between threads."""

    def __init__(self, items_dir: Path) -> None:
        self.items_dir = items_dir
        self._lock = threading.Lock()
        self._files = ScannedFiles(_scan)
        self._by_url: dict[str, list[Entry]] = {}
        self._by_id: dict[str, str] = {}

    def posts(self) -> dict[str, list[Entry]]:
        """URL → its versions, oldest first (the last is the latest)."""
        self._refresh()
        return self._by_url

    def url_for(self, ident: str) -> str | None:
        self._refresh()
        return self._by_id.get(ident)

    def versions(self, url: str) -> list[Entry]:
        return self.posts().get(url, [])

    def latest(self, url: str) -> Entry | None:
        found = self.versions(url)
        return found[-1] if found else None

    def _refresh(self) -> None:
        with self._lock:
            entries = self._files.refresh(jsonl_files(self.items_dir))
            if entries is None:
                return
            self._by_url = _group(entries)
            self._by_id = {post_id(url): url for url in self._by_url}


def read_record(entry: Entry) -> PostRecord | None:
    """The full record of ``entry``, read from its JSONL line (None if it is gone)."""
    try:
        with entry.path.open("rb") as stream:
            stream.seek(entry.offset)
            return PostRecord.from_dict(json.loads(stream.readline()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _scan(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    try:
        with path.open("rb") as stream:
            offset = 0
            for line in stream:
                entry = _entry(line, path, offset)
                if entry is not None:
                    entries.append(entry)
                offset += len(line)
    except OSError:
        return entries
    return entries


def _entry(line: bytes, path: Path, offset: int) -> Entry | None:
    if not line.endswith(b"\n") or not line.strip():
        return None  # blank, or a partial last line still being written
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    found = data.get("warc")
    warc: dict[str, Any] = found if isinstance(found, dict) else {}
    return Entry(
        url=data["url"],
        site=_text(data.get("site")),
        kind=_text(data.get("kind")) or "post",
        title=_text(data.get("title")),
        authors=tuple(a for a in data.get("authors") or () if isinstance(a, str)),
        published=_text(data.get("published")),
        version=data["version"] if isinstance(data.get("version"), int) else None,
        fetched_at=_text(data.get("fetched_at")),
        record_id=_text(warc.get("record_id")),
        warc_file=_text(warc.get("filename")),
        warc_offset=warc["offset"] if isinstance(warc.get("offset"), int) else None,
        path=path,
        offset=offset,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _group(entries: list[Entry]) -> dict[str, list[Entry]]:
    """By URL, one entry per version (the last line of a version wins), oldest first."""
    by_version: dict[tuple[str, int | None], Entry] = {}
    for entry in entries:
        by_version[(entry.url, entry.version)] = entry
    grouped: dict[str, list[Entry]] = {}
    for entry in by_version.values():
        grouped.setdefault(entry.url, []).append(entry)
    for versions in grouped.values():
        versions.sort(key=lambda e: e.order)
    return grouped
