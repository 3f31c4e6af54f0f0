"""The posts a crawl stored in its WARC files, read back from their ``metadata`` records.

The crawler writes one per post, ``WARC-Concurrent-To`` its response record, with
``Content-Type: application/json`` and the post's JSONL item as the body; a rebuild of the
search index reads them when the JSONL is missing (``blogarchive reindex --from-warc``).
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.datadir import OPEN_SUFFIX, warc_files
from archive.records import PostRecord, WarcRef

logger = logging.getLogger(__name__)


def iter_items_from_warcs(warc_dir: Path | str) -> Iterator[PostRecord]:
    """The posts stored as JSON ``metadata`` records in the WARC files, oldest first.

    Metadata records that are not JSON items are skipped (a corrupt or truncated file is
    logged and skipped from there). An item without its ``warc`` pointer gets one to the
    response record it is ``WARC-Concurrent-To``, when that is in the same file.
    """
    for path in warc_files(warc_dir):
        for item, _ in items_in(path):
            yield item


def items_in(path: Path) -> Iterator[tuple[PostRecord, int]]:
    """The posts of one WARC file's metadata records, each with its record's offset (a
    corrupt or truncated file is logged, and read up to there)."""
    from warcio.exceptions import ArchiveLoadFailed

    try:
        yield from _items_in(path)
    except (OSError, ValueError, EOFError, zlib.error, ArchiveLoadFailed) as exc:
        logger.warning("%s: stopped reading (%s)", path, exc)


def _items_in(path: Path) -> Iterator[tuple[PostRecord, int]]:
    from warcio.archiveiterator import ArchiveIterator

    responses: dict[str, int] = {}
    name = path.name.removesuffix(OPEN_SUFFIX)
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            kind = record.rec_type
            if kind == "response":
                record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
                responses[record_id] = records.get_record_offset()
            elif kind == "metadata" and _is_json(record):
                item = _item(record.content_stream().read(), path)
                if item is not None:
                    yield _with_warc(item, record, responses, name), records.get_record_offset()


def _is_json(record: Any) -> bool:
    content_type = str(record.rec_headers.get_header("Content-Type") or "")
    return content_type.split(";")[0].strip().lower() == "application/json"


def _item(payload: bytes, path: Path) -> PostRecord | None:
    try:
        data = json.loads(payload.decode("utf-8"))
        return PostRecord.from_dict(data) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError) as exc:
        logger.warning("%s: skipping a metadata record that is not an item (%s)", path, exc)
        return None


def _with_warc(
    item: PostRecord, record: Any, responses: dict[str, int], filename: str
) -> PostRecord:
    if item.warc is not None:
        return item
    concurrent = str(record.rec_headers.get_header("WARC-Concurrent-To") or "")
    if concurrent not in responses:
        return item
    ref = WarcRef(filename=filename, offset=responses[concurrent], record_id=concurrent)
    return item.replace(warc=ref)
