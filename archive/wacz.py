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
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer
from warcio.exceptions import ArchiveLoadFailed

from archive import __version__
from archive.datadir import DataDir
from archive.jsonl import iter_archive
from archive.records import PostRecord
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
    says what is wrong with it).
    """
    layout = DataDir(data_dir)
    found = layout.warc_files(live=False)
    if not found:
        raise ValueError(f"no WARC files in {layout.warc_dir}; crawl something first")
    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index.cdx"
        warcs, damaged = _index(found, index, Path(scratch))
        if not warcs:
            raise ValueError(f"no readable WARC file in {layout.warc_dir}: {damaged[0]}")
        pages = _pages(layout.items_dir, {path.name for path in warcs})
        entries = [(f"archive/{p.name}", p) for p in warcs] + [("indexes/index.cdx", index)]
        pages_file = Path(scratch) / "pages.jsonl"
        pages_file.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in [PAGES_HEADER, *pages]),
            encoding="utf-8",
        )
        entries.append(("pages/pages.jsonl", pages_file))
        _write_zip(out, entries, title)
    size = out.stat().st_size
    return WaczSummary(out, len(warcs), len(pages), size, damaged=tuple(damaged))


def _index(warcs: list[Path], index: Path, scratch: Path) -> tuple[list[Path], list[str]]:
    """Index each WARC on its own, then merge: one damaged file spoils only itself."""
    readable: list[Path] = []
    damaged: list[str] = []
    lines: list[str] = []
    for number, path in enumerate(warcs):
        part = scratch / f"part-{number}.cdx"
        try:
            CDXJIndexer(output=str(part), inputs=[str(path)], sort=False).process_all()
        except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
            damaged.append(f"{path.name}: {short_reason(exc)}")
            continue
        readable.append(path)
        lines += part.read_text(encoding="utf-8").splitlines(keepends=True)
    index.write_text("".join(sorted(lines)), encoding="utf-8")
    return readable, damaged


def _pages(items_dir: Path, warc_names: set[str]) -> list[dict[str, str]]:
    """The latest version of each item (post or page) whose capture is in the exported WARCs."""
    latest: dict[str, PostRecord] = {}
    for item in iter_archive(items_dir):
        if item.warc is not None and item.warc.filename in warc_names:
            latest[item.url] = item
    return [_page(item) for item in latest.values()]


def _page(item: PostRecord) -> dict[str, str]:
    page = {
        "id": hashlib.sha1(item.url.encode("utf-8")).hexdigest()[:24],
        "url": item.url,
        "ts": item.fetched_at or "",
        "title": item.title or item.url,
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
