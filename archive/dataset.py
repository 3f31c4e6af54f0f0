"""The archive as a dataset: one row per post version, as JSON lines or Parquet.

Rows are streamed from the JSONL archive in batches, so memory stays flat however large
the archive. Parquet needs pyarrow, an optional extra (``pip install blogarchive[parquet]``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.datadir import DataDir
from archive.jsonl import iter_archive
from archive.records import PostRecord

BATCH = 2_000
COLUMNS: tuple[tuple[str, str], ...] = (
    ("url", "string"),
    ("site", "string"),
    ("kind", "string"),
    ("title", "string"),
    ("author", "string"),
    ("authors", "list<string>"),
    ("published", "string"),
    ("updated", "string"),
    ("body", "string"),
    ("rating_value", "double"),
    ("rating_best", "double"),
    ("rating_worst", "double"),
    ("tags", "list<string>"),
    ("language", "string"),
    ("word_count", "int64"),
    ("version", "int64"),
    ("content_hash", "string"),
    ("fetched_at", "string"),
    ("warc_filename", "string"),
    ("warc_offset", "int64"),
    ("warc_record_id", "string"),
)


class MissingExtraError(RuntimeError):
    """An optional dependency is not installed; the message names the extra."""


@dataclass(frozen=True)
class Filters:
    """Which versions to export, as ``search`` filters them (dates compare as ISO text)."""

    site: str | None = None
    kind: str = "post"
    since: str | None = None
    until: str | None = None

    def keep(self, record: PostRecord) -> bool:
        when = (record.published or "")[:10]
        return (
            (self.site is None or record.site == self.site)
            and (self.kind == "all" or record.kind == self.kind)
            and (self.since is None or (bool(when) and when >= self.since))
            and (self.until is None or (bool(when) and when <= self.until))
        )


def row(record: PostRecord) -> dict[str, Any]:
    """One version as a flat row (see :data:`COLUMNS`)."""
    rating, warc = record.rating, record.warc
    return {
        "url": record.url,
        "site": record.site,
        "kind": record.kind,
        "title": record.title,
        "author": record.author,
        "authors": list(record.authors),
        "published": record.published,
        "updated": record.updated,
        "body": record.body,
        "rating_value": rating.value if rating else None,
        "rating_best": rating.best if rating else None,
        "rating_worst": rating.worst if rating else None,
        "tags": list(record.tags),
        "language": record.language,
        "word_count": record.word_count,
        "version": record.version,
        "content_hash": record.content_hash,
        "fetched_at": record.fetched_at,
        "warc_filename": warc.filename if warc else None,
        "warc_offset": warc.offset if warc else None,
        "warc_record_id": warc.record_id if warc else None,
    }


def rows(data_dir: Path, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every kept version of the archive, in archive order."""
    for record in iter_archive(DataDir(data_dir).items_dir):
        if filters.keep(record):
            yield row(record)


def write_jsonl(out: Path, found: Iterable[dict[str, Any]]) -> int:
    """One row per line; returns the count."""
    count = 0
    with out.open("w", encoding="utf-8") as stream:
        for item in found:
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_parquet(out: Path, found: Iterable[dict[str, Any]]) -> int:
    """Row groups of :data:`BATCH` rows; returns the count."""
    pa, pq = _pyarrow()
    schema = pa.schema([(name, _arrow_type(pa, kind)) for name, kind in COLUMNS])
    count = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        for batch in _batches(found, BATCH):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingExtraError(
            "Parquet needs pyarrow: pip install 'blogarchive[parquet]'"
        ) from None
    return pyarrow, pyarrow.parquet


def _arrow_type(pa: Any, kind: str) -> Any:
    types: dict[str, Callable[[], Any]] = {
        "string": pa.string,
        "double": pa.float64,
        "int64": pa.int64,
        "list<string>": lambda: pa.list_(pa.string()),
    }
    return types[kind]()


def _batches(found: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in found:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
