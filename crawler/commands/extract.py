"""``blogarchive extract PATH...``: re-extract posts from saved HTML or any WARC, offline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive import PostRecord, dumps
from crawler.extract import extract_html, extract_warc, file_kind


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "extract",
        help="extract posts from saved HTML files or WARC files",
        description="Print one JSON item per line (the JSONL schema) for each post or page "
        "found in saved HTML files or in the HTML responses of WARC files (--all: every HTML "
        "page, with its kind). Never uses the network.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="an .html file or a WARC file")
    parser.add_argument("--url", help="the address a saved HTML file was fetched from")
    parser.add_argument("--platform", default="auto", help="force a platform (default: auto)")
    parser.add_argument(
        "--all",
        action="store_true",
        dest="every",
        help="every HTML page, listings and error pages included, each with its kind",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    failed = 0
    for raw in args.paths:
        path = Path(raw)
        try:
            for record in _records(path, args):
                sys.stdout.write(dumps(record) + "\n")
        except (OSError, ValueError) as exc:
            print(f"blogarchive extract: {path}: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _records(path: Path, args: argparse.Namespace) -> Iterator[PostRecord]:
    if file_kind(path) == "warc":
        yield from extract_warc(path, platform=args.platform, every=args.every)
    else:
        yield extract_html(path, url=args.url, platform=args.platform, every=args.every)
