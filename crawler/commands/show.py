"""``blogarchive show URL``: one archived post (or page), its versions, its body or its raw
capture.

The versions come from the catalog in ``history.sqlite3`` (:mod:`archive.catalog`): an
indexed lookup, whatever the size of the archive; each version's record is read from its
JSONL line. ``--raw``
prints the captured HTTP response of the shown version, read from its WARC file by
offset: the status line and headers as stored, a blank line, then the body bytes as
received but with the Content-Encoding (gzip, deflate, br) and chunking undone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from archive import DataDir, PointerError, PostRecord, archive_file, catalog, record_at

if TYPE_CHECKING:
    from archive.diff import PostDiff


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
    parser.add_argument(
        "--diff",
        nargs="?",
        const="",
        metavar="A..B",
        help="what changed from version A to B (default: the last two): fields, and the body "
        "word by word (with --json: as data)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    versions = catalog.versions(data_dir, args.url)
    if not versions:
        return _fail(f"{args.url} is not in the archive in {data_dir}", 1)
    if args.diff is not None:
        return _print_diff(versions, args.diff, as_json=args.json)
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
    if len(versions) > 1:  # imported only then: difflib adds to every `show`'s start-up
        from archive.diff import diff_posts
    for before, other in zip([None, *versions], versions, strict=False):
        mark = "  <- shown" if other is record else ""
        number = "-" if other.version is None else str(other.version)
        change = "first archived" if before is None else diff_posts(before, other).summary()
        when = f"{other.fetched_at or 'unknown date':<28}"
        lines.append(f"  v{number:<4} {when}{_warc(other)}  ({change}){mark}")
    return "\n".join([*lines, "", record.body])


def _print_diff(versions: list[PostRecord], spec: str, *, as_json: bool) -> int:
    if len(versions) < 2:
        return _fail(f"{versions[0].url} has one version: nothing to compare", 1)
    try:
        old, new = _pair(versions, spec)
    except ValueError as exc:
        return _fail(str(exc), 2)
    from archive.diff import diff_posts  # not at the top: see describe()

    diff = diff_posts(old, new)
    if as_json:
        print(json.dumps(diff.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_diff(diff, color=sys.stdout.isatty()))
    return 0


def _pair(versions: list[PostRecord], spec: str) -> tuple[PostRecord, PostRecord]:
    """Versions ``A..B``; ``A`` or ``A..`` is A to the latest, ``..B`` the one before B to B."""
    if not spec:
        return versions[-2], versions[-1]
    first, sep, last = spec.partition("..")
    try:
        a = int(first) if first else None
        b = int(last) if sep and last else None
    except ValueError:
        raise ValueError(f"--diff: {spec!r} is not A..B with version numbers") from None
    new = catalog.pick(versions, b)
    if a is not None:
        old = catalog.pick(versions, a)
    else:
        old = versions[versions.index(new) - 1] if new and new is not versions[0] else None
    if old is None or new is None or old is new:
        numbers = ", ".join(str(r.version) for r in versions)
        raise ValueError(f"--diff: {spec!r} does not name two versions (versions: {numbers})")
    return old, new


_ADDED, _REMOVED, _PLAIN = "\x1b[32m", "\x1b[31m", "\x1b[39m"


def format_diff(diff: PostDiff, *, color: bool) -> str:
    """A diff as text: field changes, then each changed paragraph with ``{+added+}`` and
    ``[-removed-]`` words (green and red instead on a terminal)."""
    lines = [f"{diff.url}: v{diff.old} -> v{diff.new}: {diff.summary()}"]
    for change in diff.fields:
        lines.append(f"  {change.name}: {change.old!r} -> {change.new!r}")
    for paragraph in diff.paragraphs:
        lines += ["", " ".join(_span(span.op, span.text, color) for span in paragraph)]
    return "\n".join(lines)


def _span(op: str, text: str, color: bool) -> str:
    if op == "same":
        return text
    if color:
        return f"{_ADDED if op == 'added' else _REMOVED}{text}{_PLAIN}"
    return f"{{+{text}+}}" if op == "added" else f"[-{text}-]"


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
