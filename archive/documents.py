"""Turning a :class:`~archive.records.PostRecord` into a tantivy document.

Dates: ``published`` is indexed as the post's own wall-clock time (its UTC offset is
dropped); see :mod:`archive.filters` for how date bounds compare with it.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime

import tantivy

from archive.records import PostRecord

__all__ = ["author_key", "parse_published", "to_document", "wall_clock"]


def author_key(name: str) -> str:
    """Case- and accent-insensitive form of an author name: ``"José  Núñez"`` → ``"jose nunez"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def wall_clock(value: datetime) -> datetime:
    """The datetime's wall-clock time, labelled UTC (tantivy stores UTC instants)."""
    return value.replace(tzinfo=UTC)


def parse_published(text: str | None) -> datetime | None:
    if not text:
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        return wall_clock(datetime.fromisoformat(raw))
    except ValueError:
        return None


def to_document(record: PostRecord) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("url", record.url)
    if record.site:
        doc.add_text("site", record.site)
    if record.title:
        doc.add_text("title", record.title)
    _add_authors(doc, record.authors)
    if record.body:
        doc.add_text("body", record.body)
    for tag in record.tags:
        doc.add_text("tags", tag)
    if record.published:
        _add_published(doc, record.published)
    if record.rating is not None:
        doc.add_float("rating_norm", record.rating.normalized)
        doc.add_text("rating", json.dumps(record.rating.to_dict(), ensure_ascii=False))
    if record.warc is not None:
        doc.add_text("warc", json.dumps(record.warc.to_dict(), ensure_ascii=False))
    if record.fetched_at:
        doc.add_text("fetched_at", record.fetched_at)
    return doc


def _add_authors(doc: tantivy.Document, authors: list[str]) -> None:
    for author in authors:
        doc.add_text("authors", author)
        key = author_key(author)
        if key:
            doc.add_text("author_key", key)


def _add_published(doc: tantivy.Document, text: str) -> None:
    doc.add_text("published_text", text)
    published = parse_published(text)
    if published is not None:
        doc.add_date("published", published)
        doc.add_integer("published_ts", int(published.timestamp()))
