"""``verify``'s checks of one file: a WARC (fast when it can, warcio when it must) or a JSONL.

WARC: gzip members whole (this catches the truncation ``warcio check`` misses), records
readable to their declared length (files gzipped per record, as a whole, or not), each
with the target URI its type requires, block and payload digests right, a ``warcinfo``
first, and every request, response and metadata of a capture in one file. JSONL: every
line parses, and its ``warc`` pointer lands on the response (or revisit) record for its URL.

Each check is a plain function of a path returning a :class:`FileResult`, so that
``verify`` can run them in worker processes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Self

from archive.datadir import OPEN_SUFFIX, QUARANTINE_DIR, archive_file
from archive.warc.members import scan
from archive.warc.pointer import PointerError, record_at
from archive.warc.quickcheck import headers_at, quick_check
from archive.warc.reading import GZIP_MAGIC, READ_ERRORS, Reading, drain, read_archive, short_reason

CAPTURE_TYPES = ("response", "revisit")


@dataclass
class FileResult:
    """What checking one file found: problems (each naming the file), records or items
    counted, and (for JSONL) the WARC files its items point into."""

    problems: list[str] = field(default_factory=list)
    count: int = 0
    refs: tuple[str, ...] = ()
    awaiting: list[tuple[str, int, str]] = field(default_factory=list)
    """(url, version, problem) of items whose capture ``verify --repair`` quarantined: a
    problem until a crawl archives that version (or a newer one) again."""


def open_note(path: Path) -> list[str]:
    if path.name.endswith(OPEN_SUFFIX):
        note = "still .open (a crawl is writing it, or crashed: run `blogarchive verify --repair`)"
        return [f"{path.name}: {note}"]
    return []


def check_warc(path: Path) -> FileResult:
    """Check one WARC: the fast check proves most files good; the rest warcio reads."""
    result = FileResult(problems=open_note(path))
    records = quick_check(path)
    if records is not None:
        result.count = records
        return result
    name = path.name
    good_end, cut = _gzip_members_end(path)
    if cut:
        result.problems.append(f"{name}: truncated: {cut}")
    captures = _Captures()
    reading = Reading(path)
    for problem in _check_records(reading, good_end, captures, result):
        result.problems.append(f"{name}: {problem}")
    result.problems.extend(f"{name}: {note}" for note in reading.notes)
    if reading.problem and not cut:  # the gzip scan has told of the cut already
        result.problems.append(f"{name}: {reading.problem}")
    result.problems.extend(f"{name}: {p}" for p in captures.problems())
    return result


def _gzip_members_end(path: Path) -> tuple[int, str | None]:
    """End of the last whole gzip member, and why the file is cut if it is; an
    uncompressed file has no members, and its cuts are found by reading it."""
    with path.open("rb") as stream:
        if stream.read(2) != GZIP_MAGIC:
            return sys.maxsize, None
    members = scan(path)
    return members.good_end, members.error


@dataclass
class _Captures:
    """Record ids seen in one file, to check that no capture is split across files."""

    targets: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, record_id: str | None, concurrent_to: str | None) -> None:
        if record_id is None:  # an ARC record: the format links nothing
            return
        if kind in CAPTURE_TYPES:
            self.targets.add(record_id)
        elif kind in ("request", "metadata") and concurrent_to:
            self.links.append((kind, record_id, concurrent_to))

    def problems(self) -> Iterator[str]:
        for kind, record_id, target in self.links:
            if target not in self.targets:
                yield f"{kind} {record_id} refers to {target}, which is not in this file"


def _check_records(
    reading: Reading, good_end: int, captures: _Captures, result: FileResult
) -> Iterator[str]:
    """Digest and order problems; a file gzipped as a whole is read through (its offsets are
    in the decompressed stream, so the gzip scan's good end does not bound them)."""
    for number, entry in enumerate(read_archive(reading, check_digests=True, scan_members=False)):
        if entry.offset >= good_end and not reading.whole_gzip:
            return
        record = entry.record
        try:
            drain(record)
        except READ_ERRORS as exc:
            yield f"record at {entry.offset}: unreadable: {short_reason(exc)}"
            continue
        result.count += 1
        if number == 0 and entry.kind != "warcinfo":
            yield "does not start with a warcinfo record"
        if record.digest_checker.passed is False:
            yield f"record at {entry.offset}: {'; '.join(record.digest_checker.problems)}"
        captures.add(
            entry.kind, entry.record_id, record.rec_headers.get_header("WARC-Concurrent-To")
        )


def check_jsonl(path: Path, warc_dir: Path) -> FileResult:
    """Check one JSONL file: whole lines of JSON, each pointing at its capture."""
    result = FileResult(problems=open_note(path))
    refs: set[str] = set()
    with _Warcs(warc_dir) as warcs, path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            where = f"{path.name}:{number}"
            if not raw.endswith(b"\n"):
                result.problems.append(f"{where}: partial last line (run `verify --repair`)")
            try:
                item = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                result.problems.append(f"{where}: not JSON: {exc}")
                continue
            result.count += 1
            problem = _check_pointer(item, warcs, refs)
            if problem:
                _note_problem(result, item, f"{where}: {problem}", warc_dir)
    result.refs = tuple(sorted(refs))
    return result


def _note_problem(result: FileResult, item: Any, problem: str, warc_dir: Path) -> None:
    ref = item.get("warc") if isinstance(item, dict) else None
    name = ref.get("filename") if isinstance(ref, dict) else None
    if not (name and (warc_dir.parent / QUARANTINE_DIR / str(name)).is_file()):
        result.problems.append(problem)
        return
    url, version = str(item.get("url")), item.get("version")
    where = problem.split(": ", 1)[0]
    note = (
        f"{where}: the capture of {url} was damaged and is kept in {QUARANTINE_DIR}/; "
        "the next crawl fetches the post again"
    )
    result.awaiting.append((url, version if isinstance(version, int) else 0, note))


class _Warcs:
    """Open WARC files by name, kept open while one JSONL file is checked."""

    def __init__(self, warc_dir: Path) -> None:
        self.warc_dir = warc_dir
        self.open: dict[str, tuple[Path, BinaryIO] | None] = {}

    def get(self, name: str) -> tuple[Path, BinaryIO] | None:
        if name not in self.open:
            if len(self.open) >= 64:
                self.close()
            path = archive_file(self.warc_dir, name)
            self.open[name] = (path, path.open("rb")) if path is not None else None
        return self.open[name]

    def close(self) -> None:
        for entry in self.open.values():
            if entry is not None:
                entry[1].close()
        self.open.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_pointer(item: dict[str, object], warcs: _Warcs, refs: set[str]) -> str | None:
    ref, url = item.get("warc"), item.get("url")
    if not isinstance(ref, dict):
        return "no warc pointer"
    name = str(ref.get("filename"))
    found = warcs.get(name)
    if found is None:
        return f"warc pointer to a missing file {ref.get('filename')}"
    refs.add(name)
    where = f"warc pointer {ref.get('filename')}@{ref.get('offset')}"
    try:
        offset = int(str(ref.get("offset")))
    except ValueError:
        return f"{where} is not a record"
    headers = headers_at(found[1], offset) if offset >= 0 else None
    if headers is not None:  # the fast read; warcio's below, when it cannot
        kind, target = headers.get("warc-type"), headers.get("warc-target-uri")
        record_id = headers.get("warc-record-id")
    else:
        try:
            with record_at(found[0], offset) as record:
                kind = record.rec_headers.get_header("WARC-Type")
                target = record.rec_headers.get_header("WARC-Target-URI")
                record_id = record.rec_headers.get_header("WARC-Record-ID")
        except (PointerError, ValueError):
            return f"{where} is not a record"
    if kind not in CAPTURE_TYPES or target != url:
        return f"{where} is a {kind} of another URL"
    if record_id != ref.get("record_id"):
        return f"{where}: record id differs"
    return None
