"""``blogarchive export``: the archive as one WACZ file (for replay), or as a dataset (one row
per post version, JSON lines or Parquet)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive import DataDir, export_wacz
from archive.dataset import Filters, MissingExtraError, rows, write_jsonl, write_parquet
from archive.search.filters import KINDS


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="export the archive as a WACZ file, or as a dataset (JSON lines, Parquet)",
        description="--wacz packages the WARC files, a CDXJ index and the list of posts into "
        "a WACZ file that ReplayWeb.page and pywb can open. --jsonl and --parquet write one "
        "row per post version with the item's fields (Parquet needs the 'parquet' extra: "
        "pip install 'blogarchive[parquet]'); --site, --since, --until and --kind choose the "
        "rows, as search does.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--wacz", metavar="FILE", help="the .wacz file to write")
    target.add_argument("--jsonl", metavar="FILE", help="one JSON row per post version")
    target.add_argument("--parquet", metavar="FILE", help="one Parquet row per post version")
    parser.add_argument("--title", default="blogarchive", help="WACZ collection title")
    parser.add_argument("--site", help="dataset: only this site")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="dataset: published on or after")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="dataset: published on or before")
    parser.add_argument(
        "--kind", choices=KINDS, default="post", help="dataset: post (default), page or all"
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    out = Path(args.wacz or args.jsonl or args.parquet)
    if out.exists() and not args.force:
        return _fail(f"{out} exists; --force replaces it")
    try:
        if args.wacz:
            return _wacz(data_dir, out, args.title)
        filters = Filters(site=args.site, kind=args.kind, since=args.since, until=args.until)
        write = write_jsonl if args.jsonl else write_parquet
        count = write(out, rows(data_dir, filters))
    except (OSError, ValueError, MissingExtraError) as exc:
        return _fail(str(exc))
    print(f"wrote {out}: {count} post versions")
    return 0


def _wacz(data_dir: Path, out: Path, title: str) -> int:
    summary = export_wacz(data_dir, out, title=title)
    for damage in summary.damaged:
        print(f"blogarchive export: left out a damaged WARC: {damage}", file=sys.stderr)
    print(
        f"wrote {summary.path}: {summary.warcs} WARC files, {summary.pages} pages, "
        f"{summary.bytes / 1_000_000:.1f} MB"
        + (
            f"; {len(summary.damaged)} damaged WARC file(s) left out: see blogarchive verify"
            if summary.damaged
            else ""
        )
    )
    return 1 if summary.damaged else 0


def _fail(message: str) -> int:
    print(f"blogarchive export: {message}", file=sys.stderr)
    return 1
