"""``blogarchive export --wacz FILE``: the archive as one WACZ file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive import DataDir, export_wacz


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="export the archive as a WACZ file",
        description="Package the WARC files, a CDXJ index and the list of posts into a WACZ "
        "file that ReplayWeb.page and pywb can open.",
    )
    parser.add_argument("--wacz", required=True, metavar="FILE", help="the .wacz file to write")
    parser.add_argument("--title", default="blogarchive", help="collection title")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    out = Path(args.wacz)
    if out.exists() and not args.force:
        print(f"blogarchive export: {out} exists; --force replaces it", file=sys.stderr)
        return 1
    try:
        summary = export_wacz(data_dir, out, title=args.title)
    except (OSError, ValueError) as exc:
        print(f"blogarchive export: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {summary.path}: {summary.warcs} WARC files, {summary.pages} pages, "
        f"{summary.bytes / 1_000_000:.1f} MB"
    )
    return 0
