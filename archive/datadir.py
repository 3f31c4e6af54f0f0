"""The data directory's layout: where each part lives, and which files it holds.

Every tool (crawl, repair, verify, reindex, export, the web UI) asks :class:`DataDir` or
:func:`warc_files` which WARC files exist, so they all agree: finished files and live or
crashed ``.open`` ones, at any depth, oldest first by name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

OPEN_SUFFIX = ".open"
"""Added to a WARC or JSONL file's name while it is written (and after a crash)."""
HISTORY_FILE = "history.sqlite3"
QUARANTINE_DIR = "quarantine"
"""Where ``verify --repair`` moves WARC files with damaged records."""
WARC_SUFFIXES = (".warc.gz", ".warc")
_STAMP = re.compile(r"-(\d{14}-\d{5})\.jsonl(?:\.open)?$")


def warc_files(directory: Path | str, *, finished: bool = True, live: bool = True) -> list[Path]:
    """The WARC files under ``directory`` (``finished`` ones, ``live``/crashed ``.open``
    ones), oldest first by name; an ``.open`` file sorts as its final name."""
    return _files(Path(directory), WARC_SUFFIXES, finished=finished, live=live)


def jsonl_files(directory: Path | str) -> list[Path]:
    """The JSONL files under ``directory``, live (``.open``) ones included, oldest first
    by the time stamp in their names."""
    found = _files(Path(directory), (".jsonl",), finished=True, live=True)
    return sorted(found, key=_jsonl_order)


def _jsonl_order(path: Path) -> tuple[str, str]:
    match = _STAMP.search(path.name)
    return (match.group(1) if match else "", path.name)


def archive_file(directory: Path, name: str) -> Path | None:
    """The file ``name`` in ``directory``, closed or still ``.open``; None if neither exists."""
    for candidate in (directory / name, directory / (name + OPEN_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def _files(root: Path, suffixes: tuple[str, ...], *, finished: bool, live: bool) -> list[Path]:
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        name = path.name
        is_live = name.endswith(OPEN_SUFFIX)
        if (live if is_live else finished) and name.removesuffix(OPEN_SUFFIX).endswith(suffixes):
            found.append(path)
    found = [path for path in found if path.is_file()]
    return sorted(found, key=lambda p: (p.name.removesuffix(OPEN_SUFFIX), p.name))


@dataclass(frozen=True)
class DataDir:
    """``DATA/``: ``warc/``, ``items/``, ``index/`` and ``history.sqlite3``."""

    path: Path

    @classmethod
    def resolve(cls, value: str | os.PathLike[str] | None = None) -> DataDir:
        """``--data-dir``, else ``$BLOGARCHIVE_DATA_DIR``, else ``./data``."""
        return cls(Path(value or os.environ.get("BLOGARCHIVE_DATA_DIR") or "data"))

    @property
    def warc_dir(self) -> Path:
        return self.path / "warc"

    @property
    def items_dir(self) -> Path:
        return self.path / "items"

    @property
    def index_dir(self) -> Path:
        return self.path / "index"

    @property
    def quarantine_dir(self) -> Path:
        return self.path / QUARANTINE_DIR

    @property
    def history_path(self) -> Path:
        return self.path / HISTORY_FILE

    def warc_files(self, *, finished: bool = True, live: bool = True) -> list[Path]:
        """The data dir's WARC files (see :func:`warc_files`)."""
        return warc_files(self.warc_dir, finished=finished, live=live)

    def jsonl_files(self) -> list[Path]:
        """The data dir's JSONL files, live ones included, oldest first."""
        return jsonl_files(self.items_dir)
