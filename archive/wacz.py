"""WACZ export: the archive in one file that ReplayWeb.page opens and pywb imports (WACZ 1.1.1).

Layout: ``archive/*.warc.gz``, ``indexes/index.cdx`` (sorted CDXJ, by cdxj-indexer),
``pages/pages.jsonl`` (one line per archived post or standalone page), ``datapackage.json``
(every file with its SHA-256) and ``datapackage-digest.json``. Entries are stored, not
deflated: the WARCs are compressed already and replay tools read them by offset.

The index is ``index.cdx``, not ``index.cdxj``: pywb 2.10's ``wb-manager add --unpack-wacz``
takes only ``*.cdx``/``*.cdx.gz`` from a WACZ (otherwise: "does not contain any indices"),
ReplayWeb.page reads ``*.cdx`` and ``*.cdxj``, and WACZ asks only for CDXJ content.
Not a gzipped ``index.cdx.gz``: ReplayWeb.page reads one only through a ZipNum
``index.idx`` beside it, and a blog's index is small.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from archive import __version__
from archive.catalog import open_catalog
from archive.datadir import DataDir
from archive.warc.cdxj import index_file, index_path, is_current, merge
from archive.warc.reading import short_reason

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


@dataclass(frozen=True)
class WaczSummary:
    path: Path
    warcs: int
    pages: int
    bytes: int
    damaged: tuple[str, ...] = ()
    """WARC files left out because they cannot be read to their end (with why)."""


def export_wacz(data_dir: Path, out: Path, *, title: str = "blogarchive") -> WaczSummary:
    """Package every closed, readable WARC of the data dir, and its posts as pages.

    A WARC that cannot be read to its end is left out, and named in the summary: a
    package that replay tools reject as a whole would help nobody (``blogarchive verify``
    says what is wrong with it). Memory stays bounded however large the archive: the
    index is merged from sorted files, the pages go through a SQLite file in a temporary
    directory, and every part is streamed into the zip.
    """
    layout = DataDir(data_dir)
    found = layout.warc_files(live=False)
    if not found:
        raise ValueError(f"no WARC files in {layout.warc_dir}; crawl something first")
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        index = scratch / "index.cdx"
        warcs, damaged = _index(found, index, scratch)
        if not warcs:
            raise ValueError(f"no readable WARC file in {layout.warc_dir}: {damaged[0]}")
        pages_file = scratch / "pages.jsonl"
        pages = _write_pages(layout.path, {path.name for path in warcs}, pages_file, scratch)
        entries = [(f"archive/{p.name}", p) for p in warcs]
        entries += [("indexes/index.cdx", index), ("pages/pages.jsonl", pages_file)]
        _write_zip(out, entries, title)
    size = out.stat().st_size
    return WaczSummary(out, len(warcs), pages, size, damaged=tuple(damaged))


def _index(warcs: list[Path], index: Path, scratch: Path) -> tuple[list[Path], list[str]]:
    """Merge the WARCs' own sorted indexes; a WARC without a current one is indexed here,
    on its own, so that one damaged file spoils only itself."""
    readable: list[Path] = []
    damaged: list[str] = []
    parts: list[Path] = []
    for number, path in enumerate(warcs):
        if is_current(path):
            parts.append(index_path(path))
            readable.append(path)
            continue
        part = scratch / f"part-{number}.cdx"
        try:
            index_file(path, part)
        except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
            damaged.append(f"{path.name}: {short_reason(exc)}")
            continue
        parts.append(part)
        readable.append(path)
    merge(parts, index, scratch)
    return readable, damaged


def _write_pages(data_dir: Path, warc_names: set[str], out: Path, scratch: Path) -> int:
    """pages.jsonl: the latest version of each item (post or page) whose capture is in the
    exported WARCs, in the order their URLs were first archived. Returns how many."""
    db = sqlite3.connect(scratch / "pages.sqlite3", isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("CREATE TABLE pages (url TEXT PRIMARY KEY, ts TEXT, title TEXT)")
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO pages VALUES (?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET ts = excluded.ts, title = excluded.title",
            _latest_candidates(data_dir, warc_names),
        )
        db.execute("COMMIT")
        count = 0
        with out.open("w", encoding="utf-8") as lines:
            lines.write(json.dumps(PAGES_HEADER, ensure_ascii=False) + "\n")
            for url, ts, title in db.execute("SELECT url, ts, title FROM pages ORDER BY rowid"):
                lines.write(json.dumps(_page(url, ts, title), ensure_ascii=False) + "\n")
                count += 1
    finally:
        db.close()
    return count


def _latest_candidates(data_dir: Path, warc_names: set[str]) -> Iterator[tuple[str, str, str]]:
    """(url, fetched_at, title) of each item version in the exported WARCs, oldest first,
    from the catalog: no JSONL file is read (it is built from them once if missing)."""
    catalog = open_catalog(data_dir)
    try:
        for url, fetched_at, title, warc_file in catalog.item_pointers():
            if warc_file in warc_names:
                yield url, fetched_at or "", title or ""
    finally:
        catalog.db.close()


def _page(url: str, ts: str, title: str) -> dict[str, str]:
    page = {
        "id": hashlib.sha1(url.encode("utf-8")).hexdigest()[:24],
        "url": url,
        "ts": ts,
        "title": title or url,
    }
    return {key: value for key, value in page.items() if value}


def _write_zip(out: Path, entries: list[tuple[str, Path]], title: str) -> None:
    resources = [_resource(name, path) for name, path in entries]
    package = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "software": f"blogarchive {__version__}",
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "resources": resources,
    }
    package_bytes = json.dumps(package, indent=2).encode("utf-8")
    digest = {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as wacz:
        for name, path in entries:
            wacz.write(path, name)
        wacz.writestr("datapackage.json", package_bytes)
        wacz.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
    partial.replace(out)


def _resource(name: str, path: Path) -> dict[str, object]:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            sha.update(chunk)
    return {
        "name": Path(name).name,
        "path": name,
        "hash": "sha256:" + sha.hexdigest(),
        "bytes": path.stat().st_size,
    }
