"""One read API for what the archive holds of a URL: every version of its post.

``blogarchive show`` and the web UI read versions through here. The search index answers
when it is there; otherwise the JSONL files are scanned (a line is parsed only when it
mentions the URL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from archive.datadir import DataDir
from archive.records import PostRecord
from archive.search.documents import record_order
from archive.search.index import SchemaVersionError, SearchIndex


def versions(data_dir: Path, url: str) -> list[PostRecord]:
    """Every archived version of ``url`` (also tried with/without a final slash), oldest first."""
    layout = DataDir(data_dir)
    candidates = [url, url[:-1] if url.endswith("/") else url + "/"]
    for candidate in candidates:
        found = _from_index(layout, candidate)
        if found:
            return found
    wanted = set(candidates)
    found = [r for r in _scan_jsonl(layout, candidates) if r.url in wanted]
    by_version = {(r.url, r.version): r for r in found}  # the last of each version wins
    return sorted(by_version.values(), key=lambda r: record_order(r.version, r.fetched_at))


def pick(records: list[PostRecord], version: int | None = None) -> PostRecord | None:
    """Version ``version`` of a post (its latest when None), or None if there is no such."""
    if not records:
        return None
    if version is None:
        return records[-1]
    return next((r for r in reversed(records) if r.version == version), None)


def _from_index(layout: DataDir, url: str) -> list[PostRecord]:
    if not (layout.index_dir / "meta.json").exists():
        return []
    try:
        return SearchIndex(layout.index_dir).versions(url)
    except (SchemaVersionError, ValueError, OSError):
        return []


def _scan_jsonl(layout: DataDir, needles: list[str]) -> Iterator[PostRecord]:
    """The JSONL records whose line mentions one of ``needles`` (a cheap pre-filter)."""
    for path in layout.jsonl_files():
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if any(needle in line for needle in needles):
                    try:
                        yield PostRecord.from_dict(json.loads(line))
                    except (ValueError, TypeError, KeyError):
                        continue
