"""Reading the one WARC record a pointer names: a file, an offset and a record id.

JSONL items, the capture history and the web UI's index all point into WARC files
this way; ``show --raw``, ``verify`` and replay read through :func:`record_at`, so
a damaged or truncated file gives each of them the same one-line error.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class PointerError(ValueError):
    """The pointer does not lead to a readable WARC record (with that id)."""


@contextmanager
def record_at(path: Path, offset: int, record_id: str | None = None) -> Iterator[Any]:
    """The warcio record at ``offset`` in ``path``, readable inside the ``with`` block.

    Read errors, those of the block's own reads of the record included, become a
    :class:`PointerError`; so does a record whose id is not ``record_id``.
    """
    # Lazily: warcio takes ~20 ms to import, and `search` never reads a record.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from archive.warc.reading import short_reason

    where = f"{path.name} at offset {offset}"
    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                raise PointerError(f"cannot read {where}: no WARC record there")
            found = record.rec_headers.get_header("WARC-Record-ID")
            if record_id is not None and found != record_id:
                raise PointerError(f"cannot read {where}: record {found}, not {record_id}")
            yield record
    except PointerError:
        raise
    except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
        reason = short_reason(exc)
        raise PointerError(f"cannot read {where}: the record is damaged ({reason})") from exc
