"""``blogarchive verify``: check every WARC and JSONL file of a data dir.

WARC: gzip members whole (this catches the truncation ``warcio check`` misses), records
readable to their declared length (files gzipped per record, as a whole, or not), each
with the target URI its type requires, block and payload digests right, a ``warcinfo``
first, and every request, response and metadata of a capture in one file. JSONL: every
line parses, and its ``warc`` pointer lands on the response (or revisit) record for its URL.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.datadir import OPEN_SUFFIX, QUARANTINE_DIR, DataDir, archive_file
from archive.warc.members import scan
from archive.warc.pointer import PointerError, record_at
from archive.warc.reading import GZIP_MAGIC, READ_ERRORS, Reading, read_archive, short_reason

CAPTURE_TYPES = ("response", "revisit")


@dataclass
class Report:
    """Problems found, one human-readable line each, and what was looked at."""

    problems: list[str] = field(default_factory=list)
    warc_files: int = 0
    records: int = 0
    jsonl_files: int = 0
    items: int = 0
    awaiting: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)
    """URL → (version, problem) of items whose capture is quarantined, unless refetched."""
    sound: dict[str, int] = field(default_factory=dict, repr=False)
    """URL → the newest version whose item points at a sound record."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_data_dir(data_dir: Path) -> Report:
    report = Report()
    layout = DataDir(data_dir)
    for path in layout.warc_files():
        report.warc_files += 1
        verify_warc(path, report)
    for path in layout.jsonl_files():
        report.jsonl_files += 1
        verify_jsonl(path, layout.warc_dir, report)
    _settle_quarantined(report)
    return report


def _settle_quarantined(report: Report) -> None:
    """A lost capture is a problem until a crawl archives that version (or a newer) again."""
    for url, waiting in report.awaiting.items():
        refetched = report.sound.get(url, -1)
        report.problems.extend(problem for version, problem in waiting if version > refetched)


def _note_open(path: Path, report: Report) -> None:
    if path.name.endswith(OPEN_SUFFIX):
        report.problems.append(
            f"{path.name}: still .open (a crawl is writing it, or crashed: "
            "run `blogarchive verify --repair`)"
        )


def verify_warc(path: Path, report: Report) -> None:
    name = path.name
    _note_open(path, report)
    good_end, cut = _gzip_members_end(path)
    if cut:
        report.problems.append(f"{name}: truncated: {cut}")
    captures = _Captures()
    reading = Reading(path)
    for problem in _check_records(reading, good_end, captures, report):
        report.problems.append(f"{name}: {problem}")
    report.problems.extend(f"{name}: {note}" for note in reading.notes)
    if reading.problem and not cut:  # the gzip scan has told of the cut already
        report.problems.append(f"{name}: {reading.problem}")
    report.problems.extend(f"{name}: {p}" for p in captures.problems())


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
    reading: Reading, good_end: int, captures: _Captures, report: Report
) -> Iterator[str]:
    """Digest and order problems; a file gzipped as a whole is read through (its offsets are
    in the decompressed stream, so the gzip scan's good end does not bound them)."""
    for number, entry in enumerate(read_archive(reading, check_digests=True, scan_members=False)):
        if entry.offset >= good_end and not reading.whole_gzip:
            return
        record = entry.record
        try:
            _drain(record)
        except READ_ERRORS as exc:
            yield f"record at {entry.offset}: unreadable: {short_reason(exc)}"
            continue
        report.records += 1
        if number == 0 and entry.kind != "warcinfo":
            yield "does not start with a warcinfo record"
        if record.digest_checker.passed is False:
            yield f"record at {entry.offset}: {'; '.join(record.digest_checker.problems)}"
        captures.add(
            entry.kind, entry.record_id, record.rec_headers.get_header("WARC-Concurrent-To")
        )


def _drain(record: object) -> None:
    stream = record.content_stream()  # type: ignore[attr-defined]
    while stream.read(1 << 20):
        pass


def verify_jsonl(path: Path, warc_dir: Path, report: Report) -> None:
    _note_open(path, report)
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            where = f"{path.name}:{number}"
            if not raw.endswith(b"\n"):
                report.problems.append(f"{where}: partial last line (run `verify --repair`)")
            try:
                item = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                report.problems.append(f"{where}: not JSON: {exc}")
                continue
            report.items += 1
            _note_item(item, where, warc_dir, report)


def _note_item(item: Any, where: str, warc_dir: Path, report: Report) -> None:
    url, version = str(item.get("url")), _version(item.get("version"))
    problem = _check_pointer(item, warc_dir)
    if problem is None:
        report.sound[url] = max(version, report.sound.get(url, -1))
        return
    quarantined = warc_dir.parent / QUARANTINE_DIR / str(item["warc"].get("filename"))
    if "warc pointer" in problem and quarantined.is_file():
        problem = (
            f"the capture of {url} was damaged and is kept in {QUARANTINE_DIR}/; "
            "the next crawl fetches the post again"
        )
        report.awaiting.setdefault(url, []).append((version, f"{where}: {problem}"))
        return
    report.problems.append(f"{where}: {problem}")


def _version(value: object) -> int:
    return value if isinstance(value, int) else 0


def _check_pointer(item: dict[str, object], warc_dir: Path) -> str | None:
    ref, url = item.get("warc"), item.get("url")
    if not isinstance(ref, dict):
        return "no warc pointer"
    path = archive_file(warc_dir, str(ref.get("filename")))
    if path is None:
        return f"warc pointer to a missing file {ref.get('filename')}"
    where = f"warc pointer {ref.get('filename')}@{ref.get('offset')}"
    try:
        with record_at(path, int(str(ref.get("offset")))) as record:
            headers = record.rec_headers
    except (PointerError, ValueError):
        return f"{where} is not a record"
    kind = headers.get_header("WARC-Type")
    if kind not in CAPTURE_TYPES or headers.get_header("WARC-Target-URI") != url:
        return f"{where} is a {kind} of another URL"
    if headers.get_header("WARC-Record-ID") != ref.get("record_id"):
        return f"{where}: record id differs"
    return None
