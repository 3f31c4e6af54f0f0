"""``blogarchive extract PATH...``: re-extract posts from saved HTML or any WARC or ARC file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive import dumps
from archive.warc.reading import Reading
from crawler.extract import extract_html, extract_warc, file_kind


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "extract",
        help="extract posts from saved HTML files or WARC files",
        description="Print one JSON item per line (the JSONL schema) for each post or page "
        "found in saved HTML files or in the HTML responses of WARC files (--all: every HTML "
        "page, with its kind). Never uses the network.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an .html file, or a WARC or ARC file (gzipped per record, as a whole, or not)",
    )
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
            failed += _extract(path, args)
        except BrokenPipeError:
            raise  # our reader left (| head): the CLI ends quietly
        except (OSError, ValueError) as exc:
            _say(f"{path}: {exc}")
            failed += 1
    return 1 if failed else 0


def _extract(path: Path, args: argparse.Namespace) -> int:
    """Print the file's items; 1 when the file could not be read to its end."""
    if file_kind(path) == "html":
        record = extract_html(path, url=args.url, platform=args.platform, every=args.every)
        sys.stdout.write(dumps(record) + "\n")
        return 0
    reading = Reading(path)
    for record in extract_warc(reading, platform=args.platform, every=args.every):
        sys.stdout.write(dumps(record) + "\n")
    sys.stdout.flush()  # the items come before the word on where the file stops
    for note in reading.notes:
        _say(f"{path}: {note}")
    if reading.problem:
        _say(f"{path}: {reading.problem}")
        return 1
    return 0


def _say(line: str) -> None:
    print(f"blogarchive extract: {line}", file=sys.stderr)
