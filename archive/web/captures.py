"""The captures the web UI shows: every response and revisit record, from the catalog.

A capture is named by its WARC file and offset in URLs (``/captures/FILE/OFFSET``); the
file name is checked before it is looked up, so no path leaves ``DATA/warc``.
"""

from __future__ import annotations

import re
from pathlib import Path

from archive.datadir import archive_file
from archive.state.catalog import Capture

__all__ = ["Capture", "valid_filename", "warc_path"]
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc\.gz$")


def valid_filename(name: str) -> bool:
    """Whether ``name`` looks like one of our WARC files (no path, no tricks)."""
    return bool(_FILENAME.match(name)) and ".." not in name


def warc_path(warc_dir: Path, name: str) -> Path | None:
    """The file of WARC ``name`` in ``warc_dir`` (closed, or still ``.open``), if it exists."""
    return archive_file(warc_dir, name) if valid_filename(name) else None
