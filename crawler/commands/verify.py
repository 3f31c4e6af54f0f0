"""``blogarchive verify [--repair]``: check the archive's WARC and JSONL files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import DataDir, quarantine_damaged, repair_data_dir, verify_data_dir

if TYPE_CHECKING:
    from archive.verify import Report


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
        help="first cut crashed .open WARCs and partial JSONL lines back to whole records; "
        "then move WARCs with damaged records into DATA/quarantine/ (keeping their sound "
        "records in place; the next crawl fetches the lost posts again)",
    )
    return parser


def _verify(data_dir: Path, *, full: bool, repair: bool) -> Report:
    if repair:
        for done in repair_data_dir(data_dir, index=True):
            print(done.describe())
    report = verify_data_dir(data_dir, full=full)
    if repair and report.bad_warcs:
        moved = quarantine_damaged(DataDir(data_dir), report.bad_warcs)
        for each in moved:
            print(each.describe())
        if moved:
            report = verify_data_dir(data_dir, full=full)
    return report


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    if not data_dir.is_dir():
        # A mistyped path holds no problems, and no archive either: saying "ok" would mislead.
        print(f"blogarchive verify: no archive at {data_dir}", file=sys.stderr)
        return 1
    try:
        report = _verify(data_dir, full=args.full, repair=args.repair)
    except OSError as exc:  # a read-only copy, a full disk
        print(f"blogarchive verify: cannot repair {data_dir}: {exc}", file=sys.stderr)
        return 1
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"verify: {verdict}: {report.warc_files} WARC files, {report.records} records, "
        f"{report.jsonl_files} JSONL files, {report.items} items"
        + (f" ({report.unchanged} files unchanged since checked)" if report.unchanged else "")
    )
    return 0 if report.ok else 1
