"""``blogarchive reindex``: rebuild the search index from the JSONL archive."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from archive.index import IndexLockedError, SearchIndex
from archive.jsonl import iter_archive
from archive.paths import index_dir, items_dir, resolve_data_dir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex",
        help="rebuild the search index from the JSONL archive",
        description="Rebuild DATA/index from every JSONL file under DATA/items.",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    started = time.monotonic()
    try:
        count = SearchIndex(index_dir(data_dir)).rebuild(iter_archive(items_dir(data_dir)))
    except (IndexLockedError, OSError, ValueError) as exc:
        print(f"blogarchive reindex: {exc}", file=sys.stderr)
        return 1
    print(f"indexed {count} posts in {time.monotonic() - started:.1f} s")
    return 0
