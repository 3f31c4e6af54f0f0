"""``blogarchive reindex``: rebuild the search index from the JSONL archive.

When ``DATA/items`` holds no JSONL (or with ``--from-warc``), the posts are read from
the ``metadata`` records of the WARC files in ``DATA/warc`` instead
(:func:`archive.search.rebuild.iter_items_from_warcs`). An index of another schema version is
replaced.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive import (
    DataDir,
    IndexLockedError,
    PostRecord,
    SchemaVersionError,
    SearchIndex,
    iter_archive,
    iter_items_from_warcs,
)


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


def _source(data_dir: Path, from_warc: bool) -> tuple[str, Iterator[PostRecord]] | None:
    layout = DataDir(data_dir)
    if not from_warc and layout.jsonl_files():
        return "JSONL", iter_archive(layout.items_dir)
    if layout.warc_files():
        return "WARC metadata records", iter_items_from_warcs(layout.warc_dir)
    if from_warc:
        return None
    return "JSONL", iter_archive(layout.items_dir)  # nothing at all: an empty index


def _open(path: Path) -> SearchIndex:
    try:
        return SearchIndex(path)
    except (SchemaVersionError, ValueError) as exc:  # old schema, or corrupted files
        print(f"blogarchive reindex: replacing the index ({exc})", file=sys.stderr)
        return SearchIndex.recreate(path)


def _sources(data_dirs: list[Path], from_warc: bool) -> tuple[str, Iterator[PostRecord]] | None:
    """Every data dir's posts, one stream; None when ``--from-warc`` finds no WARC."""
    names: set[str] = set()
    streams: list[Iterator[PostRecord]] = []
    for data_dir in data_dirs:
        source = _source(data_dir, from_warc)
        if source is None:
            return None
        names.add(source[0])
        streams.append(source[1])
    return " and ".join(sorted(names)), itertools.chain.from_iterable(streams)


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    others = [Path(p) for p in args.sources]
    missing = [p for p in others if not p.is_dir()]
    if missing:
        print(f"blogarchive reindex: no data dir at {missing[0]}", file=sys.stderr)
        return 2
    source = _sources([data_dir, *others], args.from_warc)
    if source is None:
        print("blogarchive reindex: no WARC files to read items from", file=sys.stderr)
        return 1
    name, records = source
    started = time.monotonic()
    try:
        count = _open(DataDir(data_dir).index_dir).rebuild(records)
    except (IndexLockedError, OSError, ValueError) as exc:
        print(f"blogarchive reindex: {exc}", file=sys.stderr)
        return 1
    print(f"indexed {count} posts from {name} in {time.monotonic() - started:.1f} s")
    return 0
