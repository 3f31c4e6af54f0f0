"""``blogarchive show URL``: one archived post (or page), its versions, its body or its raw
capture.

The versions come from the search index (every version is a document there), or, when
there is no index or it lacks the URL, from a scan of the JSONL archive. ``--raw``
prints the captured HTTP response of the shown version, read from its WARC file by
offset: the status line and headers as stored, a blank line, then the body bytes as
received but with the Content-Encoding (gzip, deflate, br) and chunking undone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

from archive import DataDir, PointerError, PostRecord, archive_file, catalog, record_at


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "show",
        help="show an archived post, its versions and its body",
        description="Show an archived post: its fields, the list of its archived versions "
        "by date, and its body. --raw prints the HTTP response captured in the WARC file.",
    )
    parser.add_argument("url", help="the post's URL, as archived")
    parser.add_argument("--version", type=int, metavar="N", help="this version (default latest)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--raw", action="store_true", help="print the captured HTTP response")
    out.add_argument("--json", action="store_true", help="print the item as JSON")
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    versions = catalog.versions(data_dir, args.url)
    if not versions:
        return _fail(f"{args.url} is not in the archive in {data_dir}", 1)
    record = catalog.pick(versions, args.version)
    if record is None:
        numbers = ", ".join(str(r.version) for r in versions)
        return _fail(f"{args.url} has no version {args.version} (versions: {numbers})", 1)
    if args.json:
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if args.raw:
        return _print_raw(data_dir, record)
    print(describe(record, versions))
    return 0


def describe(record: PostRecord, versions: list[PostRecord]) -> str:
    """The post as text: its fields, its versions, a blank line and its body."""
    lines = [record.title or record.url, ""]
    fields: list[tuple[str, Any]] = [
        ("URL", record.url),
        ("Site", record.site),
        ("Kind", None if record.kind == "post" else record.kind),
        ("Authors", ", ".join(record.authors)),
        ("Published", record.published),
        ("Updated", record.updated),
        ("Rating", _rating(record)),
        ("Tags", ", ".join(record.tags)),
        ("Language", record.language),
        ("Platform", record.platform),
        ("Words", record.word_count),
        ("Version", record.version),
        ("Fetched", record.fetched_at),
        ("WARC", _warc(record)),
    ]
    lines += [f"{name + ':':<11}{value}" for name, value in fields if value not in (None, "")]
    lines += ["", f"Versions ({len(versions)}):"]
    for other in versions:
        mark = "  <- shown" if other is record else ""
        number = "-" if other.version is None else str(other.version)
        lines.append(f"  v{number:<4} {other.fetched_at or 'unknown date':<28}{_warc(other)}{mark}")
    return "\n".join([*lines, "", record.body])


def _rating(record: PostRecord) -> str | None:
    rating = record.rating
    if rating is None:
        return None
    return f"{rating.value:g}/{rating.best:g} (normalized {rating.normalized:g})"


def _warc(record: PostRecord) -> str:
    ref = record.warc
    return "" if ref is None else f"{ref.filename} @ {ref.offset}"


def _print_raw(data_dir: Path, record: PostRecord) -> int:
    ref = record.warc
    if ref is None:
        return _fail(f"{record.url} has no WARC record", 1)
    warc_dir = DataDir(data_dir).warc_dir
    path = archive_file(warc_dir, ref.filename) or warc_dir / ref.filename
    try:
        with record_at(path, ref.offset, ref.record_id) as found:
            _write_response(found, sys.stdout.buffer)
    except PointerError as exc:
        return _fail(str(exc), 1)
    return 0


def _write_response(record: Any, out: BinaryIO) -> None:
    headers = record.http_headers
    if headers is not None:
        out.write(headers.to_bytes())  # status line, headers, blank line
    out.write(record.content_stream().read())
    out.flush()


def _fail(message: str, code: int) -> int:
    print(f"blogarchive show: {message}", file=sys.stderr)
    return code
