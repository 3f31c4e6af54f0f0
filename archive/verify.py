"""``blogarchive verify``: check the WARC and JSONL files of a data dir (the checks of one
file are in :mod:`archive.verify_files`).

Incremental: a closed file found good is remembered (:mod:`archive.state.verified`) and
not read again while its size, time and tail are unchanged; ``.open`` files, new and
changed ones are checked every time, and ``full`` checks everything. Files are checked in
parallel, one worker process per CPU.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from archive.datadir import OPEN_SUFFIX, DataDir
from archive.state.history import History
from archive.state.verified import Fingerprint, Remembered, VerifiedFiles
from archive.verify_files import FileResult, check_jsonl, check_warc

PARALLEL_BYTES = 32 << 20
"""Below this much to read, one process does it faster than starting workers."""


@dataclass
class Report:
    """Problems found, one human-readable line each, and what was looked at."""

    problems: list[str] = field(default_factory=list)
    warc_files: int = 0
    records: int = 0
    jsonl_files: int = 0
    items: int = 0
    unchanged: int = 0
    """Files not read again: found good before, and unchanged since."""
    bad_warcs: list[Path] = field(default_factory=list)
    """The WARC files with problems (``verify --repair`` salvages the damaged ones)."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Task:
    path: Path
    name: str
    """The file's path under the data dir: its key in the memory."""
    warc: bool
    fingerprint: Fingerprint | None
    """None for ``.open`` files, which are never remembered."""


def verify_data_dir(data_dir: Path, *, full: bool = False, workers: int | None = None) -> Report:
    """Check the data dir's files (only new and changed ones unless ``full``)."""
    layout = DataDir(data_dir)
    memory = VerifiedFiles(data_dir)
    report = Report()
    try:
        tasks = _tasks(layout, memory, report, full=full)
        results = _run(tasks, layout.warc_dir, workers)
        _tally(tasks, results, report, memory, layout.history_path)
    finally:
        memory.close()
    return report


def _tasks(layout: DataDir, memory: VerifiedFiles, report: Report, *, full: bool) -> list[_Task]:
    """The files to read; those remembered and unchanged are counted into the report."""
    tasks = []
    files = [(p, True) for p in layout.warc_files()] + [(p, False) for p in layout.jsonl_files()]
    for path, warc in files:
        if warc:
            report.warc_files += 1
        else:
            report.jsonl_files += 1
        task = _Task(path, path.relative_to(layout.path).as_posix(), warc, _fingerprint(path))
        known = (
            None if full or task.fingerprint is None else memory.recall(task.name, task.fingerprint)
        )
        if known is not None and all((layout.warc_dir / ref).exists() for ref in known.refs):
            report.unchanged += 1
            _count(report, warc, known.count)
        else:
            tasks.append(task)
    return tasks


def _fingerprint(path: Path) -> Fingerprint | None:
    if path.name.endswith(OPEN_SUFFIX):
        return None
    try:
        return Fingerprint.of(path)
    except OSError:
        return None


def _run(tasks: list[_Task], warc_dir: Path, workers: int | None) -> list[FileResult]:
    """Check each file, in ``workers`` processes (by default one per CPU when there is
    enough to read); results in file order."""
    check = partial(_check, warc_dir=warc_dir)
    if workers is None:
        size = sum(t.fingerprint.size for t in tasks if t.fingerprint is not None)
        workers = (os.cpu_count() or 1) if size >= PARALLEL_BYTES else 1
    if workers < 2 or len(tasks) < 2:
        return [check(task) for task in tasks]
    chunk = max(1, len(tasks) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check, tasks, chunksize=chunk))


def _check(task: _Task, warc_dir: Path) -> FileResult:
    try:
        return check_warc(task.path) if task.warc else check_jsonl(task.path, warc_dir)
    except FileNotFoundError:  # a recrawl reopened it (renamed to .open) meanwhile
        return FileResult(problems=[f"{task.path.name}: gone while verify read it; verify again"])


def _tally(
    tasks: list[_Task],
    results: list[FileResult],
    report: Report,
    memory: VerifiedFiles,
    history_path: Path,
) -> None:
    good, bad = [], []
    settle = _Refetched(history_path)
    for task, result in zip(tasks, results, strict=True):
        result.problems.extend(settle.unresolved(result.awaiting))
        report.problems.extend(result.problems)
        _count(report, task.warc, result.count)
        if result.problems:
            bad.append(task.name)
            if task.warc:
                report.bad_warcs.append(task.path)
        elif task.fingerprint is not None:
            good.append((task.name, task.fingerprint, Remembered(result.count, result.refs)))
    memory.forget(bad)
    memory.remember(good)


class _Refetched:
    """Whether a crawl archived a version again since ``verify --repair`` quarantined its
    capture (the version history forgot it then)."""

    def __init__(self, history_path: Path) -> None:
        self.path = history_path

    def unresolved(self, awaiting: list[tuple[str, int, str]]) -> list[str]:
        if not awaiting:
            return []
        newest = self._newest(sorted({url for url, _, _ in awaiting}))
        return [note for url, version, note in awaiting if newest.get(url, -1) < version]

    def _newest(self, urls: list[str]) -> dict[str, int]:
        if not self.path.exists():
            return {}
        history = History(self.path)
        try:
            marks = ",".join("?" * len(urls))
            rows = history.db.execute(
                f"SELECT url, MAX(version) FROM versions WHERE url IN ({marks}) GROUP BY url",
                urls,
            )
            return {str(url): int(version) for url, version in rows}
        finally:
            history.close()


def _count(report: Report, warc: bool, count: int) -> None:
    if warc:
        report.records += count
    else:
        report.items += count
