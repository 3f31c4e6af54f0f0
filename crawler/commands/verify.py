"""``blogarchive verify [--repair]``: check the archive's WARC and JSONL files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive import DataDir, quarantine_damaged, repair_data_dir, verify_data_dir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="check every WARC and JSONL file of the archive",
        description="Check gzip members, record lengths and digests, that no capture is split "
        "across files, and that every JSONL item points at its WARC record. Exits 1 and names "
        "each problem.",
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="first cut crashed .open WARCs and partial JSONL lines back to whole records, "
        "and move WARCs with damaged records into DATA/quarantine/ (keeping their sound "
        "records in place; the next crawl fetches the lost posts again)",
    )
    return parser


def _repair(data_dir: Path) -> None:
    for repair in repair_data_dir(data_dir, index=True):
        print(repair.describe())
    for moved in quarantine_damaged(DataDir(data_dir)):
        print(moved.describe())


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    if not data_dir.is_dir():
        # A mistyped path holds no problems, and no archive either: saying "ok" would mislead.
        print(f"blogarchive verify: no archive at {data_dir}", file=sys.stderr)
        return 1
    if args.repair:
        try:
            _repair(data_dir)
        except OSError as exc:  # a read-only copy, a full disk
            print(f"blogarchive verify: cannot repair {data_dir}: {exc}", file=sys.stderr)
            return 1
    report = verify_data_dir(data_dir)
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"verify: {verdict}: {report.warc_files} WARC files, {report.records} records, "
        f"{report.jsonl_files} JSONL files, {report.items} items"
    )
    return 0 if report.ok else 1
