"""``blogarchive verify [--repair]``: check the archive's WARC and JSONL files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive import DataDir, repair_data_dir, verify_data_dir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="check the WARC and JSONL files of the archive",
        description="Check gzip members, record lengths and digests, that no capture is split "
        "across files, and that every JSONL item points at its WARC record. Exits 1 and names "
        "each problem. Files found good before and unchanged since (size, time and last 64 KiB) "
        "are not read again unless --full.",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="read every file, also those found good before and unchanged since",
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="first cut crashed .open WARCs and partial JSONL lines back to whole records",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    if not data_dir.is_dir():
        # A mistyped path holds no problems, and no archive either: saying "ok" would mislead.
        print(f"blogarchive verify: no archive at {data_dir}", file=sys.stderr)
        return 1
    if args.repair:
        for repair in repair_data_dir(data_dir, index=True):
            print(repair.describe())
    report = verify_data_dir(data_dir, full=args.full)
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"verify: {verdict}: {report.warc_files} WARC files, {report.records} records, "
        f"{report.jsonl_files} JSONL files, {report.items} items"
        + (f" ({report.unchanged} files unchanged since checked)" if report.unchanged else "")
    )
    return 0 if report.ok else 1
