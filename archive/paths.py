"""Where things live under the data directory."""

from __future__ import annotations

import os
from pathlib import Path

OPEN_SUFFIX = ".open"
"""Added to a WARC or JSONL file's name while it is written (and after a crash)."""


def resolve_data_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``$BLOGARCHIVE_DATA_DIR``, else ``./data``."""
    return Path(value or os.environ.get("BLOGARCHIVE_DATA_DIR") or "data")


def warc_dir(data_dir: Path) -> Path:
    return data_dir / "warc"


def items_dir(data_dir: Path) -> Path:
    return data_dir / "items"


def index_dir(data_dir: Path) -> Path:
    return data_dir / "index"


def archive_file(directory: Path, name: str) -> Path | None:
    """The file ``name`` in ``directory``, closed or still ``.open``; None if neither exists."""
    for candidate in (directory / name, directory / (name + OPEN_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None
