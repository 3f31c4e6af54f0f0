"""Where things live under the data directory."""

from __future__ import annotations

import os
from pathlib import Path


def resolve_data_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``$BLOGARCHIVE_DATA_DIR``, else ``./data``."""
    return Path(value or os.environ.get("BLOGARCHIVE_DATA_DIR") or "data")


def warc_dir(data_dir: Path) -> Path:
    return data_dir / "warc"


def items_dir(data_dir: Path) -> Path:
    return data_dir / "items"


def index_dir(data_dir: Path) -> Path:
    return data_dir / "index"
