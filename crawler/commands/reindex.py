"""``blogarchive reindex``: rebuild the search index and the catalog from the archive's files.

The posts are read from the JSONL archive, or, when ``DATA/items`` holds no JSONL (or
with ``--from-warc``), from the ``metadata`` records of the WARC files in ``DATA/warc``
(:func:`archive.state.catalog_scan.item_records`: each post is parsed once, for both).
A quick first pass over the JSONL lines (URL, version and date, read without parsing
the body) forecasts which versions will be superseded, so each is indexed once, with its
final flag. The catalog's captures are then read from the WARC files it does not hold
whole yet (all of them when ``history.sqlite3`` was lost; only the record heads that a
current CDXJ index points at). An index of another schema version is replaced.

Where the time goes (20,000 posts of ~1,200 words): tantivy's own analysis and indexing,
about 1 ms of CPU per post, four fifths of it the body (the English stemmer alone 0.4 ms);
reading, parsing and building documents in Python 0.25 ms.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive import DataDir, IndexLockedError, PostRecord, SchemaVersionError, SearchIndex
from archive.jsonl import line_versions
from archive.search.rebuild import superseded_keys
from archive.state.catalog import Catalog
from archive.state.catalog_scan import item_records, scan_captures
from archive.state.db import connect
from archive.state.history import SCHEMA as HISTORY_SCHEMA


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex",
        help="rebuild the search index from the JSONL archive (or the WARC files)",
        description="Rebuild DATA/index from every JSONL file under DATA/items, or, when "
        "there is none, from the item metadata records of the WARC files under DATA/warc.",
    )
    parser.add_argument(
        "--from",
        dest="sources",
        action="append",
        default=[],
        metavar="DIR",
        help="also index the posts of another data dir (repeatable): merges per-worker "
        "data dirs into this one's index",
    )
    parser.add_argument(
        "--from-warc",
        action="store_true",
        help="read the posts from the WARC metadata records even if there is JSONL",
    )
    return parser


def _source(
    catalog: Catalog, data_dir: Path, from_warc: bool
) -> tuple[str, Iterator[PostRecord]] | None:
    layout = DataDir(data_dir)
    if not from_warc and layout.jsonl_files():
        return "JSONL", item_records(catalog, layout, from_warc=False)
    if layout.warc_files():
        return "WARC metadata records", item_records(catalog, layout, from_warc=True)
    if from_warc:
        return None
    return "JSONL", iter(())  # nothing at all: an empty index


def _open(path: Path) -> SearchIndex:
    try:
        return SearchIndex(path)
    except (SchemaVersionError, ValueError) as exc:  # old schema, or corrupted files
        print(f"blogarchive reindex: replacing the index ({exc})", file=sys.stderr)
        return SearchIndex.recreate(path)


def _sources(
    catalog: Catalog, data_dirs: list[Path], from_warc: bool
) -> tuple[str, Iterator[PostRecord]] | None:
    """Every data dir's posts, one stream; None when ``--from-warc`` finds no WARC."""
    names: set[str] = set()
    streams: list[Iterator[PostRecord]] = []
    for data_dir in data_dirs:
        source = _source(catalog, data_dir, from_warc)
        if source is None:
            return None
        names.add(source[0])
        streams.append(source[1])
    return " and ".join(sorted(names)), itertools.chain.from_iterable(streams)


def _forecast(data_dirs: list[Path], from_warc: bool) -> set[str]:
    """The versions that will turn out superseded, from a quick first pass over the JSONL
    (a few percent of the cost of indexing it), so each is indexed once, already flagged, instead
    of twice. Not for WARC sources: reading them twice would cost more than it saves."""
    if from_warc:
        return set()
    paths = [path for data_dir in data_dirs for path in DataDir(data_dir).jsonl_files()]
    return superseded_keys(itertools.chain.from_iterable(map(line_versions, paths)))


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    others = [Path(p) for p in args.sources]
    missing = [p for p in others if not p.is_dir()]
    if missing:
        print(f"blogarchive reindex: no data dir at {missing[0]}", file=sys.stderr)
        return 2
    layout = DataDir(data_dir)
    try:
        catalog = Catalog(connect(layout.history_path, HISTORY_SCHEMA), layout.path)
    except (OSError, sqlite3.Error) as exc:
        print(f"blogarchive reindex: cannot open the catalog: {exc}", file=sys.stderr)
        return 1
    try:
        return _reindex(catalog, layout, others, args.from_warc)
    finally:
        catalog.db.close()


def _reindex(catalog: Catalog, layout: DataDir, others: list[Path], from_warc: bool) -> int:
    """The search index and the catalog's versions from the files; then the captures of
    the WARC files the catalog does not hold whole yet."""
    source = _sources(catalog, [layout.path, *others], from_warc)
    if source is None:
        print("blogarchive reindex: no WARC files to read items from", file=sys.stderr)
        return 1
    name, records = source
    started = time.monotonic()
    try:
        forecast = _forecast([layout.path, *others], from_warc)
        catalog.clear_items()
        count = _open(layout.index_dir).rebuild(records, forecast=forecast)
        files = scan_captures(catalog, layout)
        catalog.mark_complete()
    except (IndexLockedError, OSError, ValueError, sqlite3.Error) as exc:
        print(f"blogarchive reindex: {exc}", file=sys.stderr)
        return 1
    took = time.monotonic() - started
    print(
        f"indexed {count} posts from {name} in {took:.1f} s"
        + (f" (and catalogued the captures of {files} WARC files)" if files else "")
    )
    return 0
