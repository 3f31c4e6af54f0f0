"""Per-file scan results, rescanned only for files whose size or mtime changed.

The web UI's post catalog (JSONL files) and capture index (WARC files) both keep what
they read from each file of a growing archive, keyed by the file's (size, mtime).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Scanned(Generic[T]):
    stamp: tuple[int, int]
    items: list[T]


class ScannedFiles(Generic[T]):
    """What ``scan`` found in each file, kept while the file's size and mtime stay."""

    def __init__(self, scan: Callable[[Path], list[T]]) -> None:
        self._scan = scan
        self._files: dict[Path, _Scanned[T]] = {}

    def refresh(self, files: list[Path]) -> list[T] | None:
        """The items of ``files`` in their order, rescanning changed and new ones; None when
        nothing changed since the last call (not thread-safe: callers hold their lock)."""
        stamps = {path: stamp(path) for path in files}
        current = {p: s for p, s in self._files.items() if stamps.get(p) == s.stamp}
        if len(current) == len(files) == len(self._files):
            return None
        for path in files:
            found = stamps[path]
            if path not in current and found is not None:
                current[path] = _Scanned(found, self._scan(path))
        self._files = current
        return [item for p in files if p in current for item in current[p].items]


def stamp(path: Path) -> tuple[int, int] | None:
    """A file's (size, mtime in ns), or None when it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)
