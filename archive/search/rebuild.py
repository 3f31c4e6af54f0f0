"""Writing posts with their version flags, and the sources a rebuild reads.

:func:`add_batch` adds a batch to a live index: it flags the versions of each URL that
are not the latest, in the batch and in the index (see :mod:`archive.search.index`).

A rebuild reads the JSONL archive (:func:`archive.jsonl.iter_archive`) or, when the
JSONL is missing, the WARC files' ``metadata`` records
(:func:`archive.warc.items.iter_items_from_warcs`).

:func:`add_stream` writes the records into an emptied index in one pass, remembering
only the latest version of each URL; :func:`demote` then flags the versions that turned
out not to be the latest (see :mod:`archive.search.index`). A forecast of those
(:func:`superseded_keys`, from a quick first pass) has them written flagged at once;
:func:`promote` unflags a latest version a wrong forecast flagged.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Iterable

import tantivy

from archive.records import PostRecord
from archive.search.documents import doc_key, from_document, record_order, to_document
from archive.search.filters import filtered, superseded

__all__ = [
    "add_batch",
    "add_stream",
    "demote",
    "flag_superseded",
    "promote",
    "superseded_keys",
]

logger = logging.getLogger(__name__)


def flag_superseded(writer: tantivy.IndexWriter, record: PostRecord) -> None:
    """(Re-)add one version of a post as superseded by a newer one."""
    writer.delete_documents_by_term("key", doc_key(record.url, record.version))
    writer.add_document(to_document(record, latest=False))


def add_batch(
    writer: tantivy.IndexWriter,
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    records: Iterable[PostRecord],
) -> int:
    """Write a batch, flagging all but the latest version of each URL (index included)."""
    batch: dict[str, PostRecord] = {}
    count = 0
    for record in records:
        batch[doc_key(record.url, record.version)] = record
        count += 1
    best: dict[str, PostRecord] = {}
    for record in batch.values():
        top = best.get(record.url)
        if top is None or _order(record) >= _order(top):
            best[record.url] = record
    latest = {doc_key(r.url, r.version) for r in best.values()}
    for url, record in best.items():
        if not _settle_indexed(writer, searcher, schema, url, record):
            latest.discard(doc_key(url, record.version))
    for key, record in batch.items():
        writer.delete_documents_by_term("key", key)
        writer.add_document(to_document(record, latest=key in latest))
    return count


def _settle_indexed(
    writer: tantivy.IndexWriter,
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    url: str,
    record: PostRecord,
) -> bool:
    """Flag the indexed latest versions of ``url`` older than ``record``; is it the latest?"""
    key = doc_key(url, record.version)
    newer = False
    for doc in _latest_docs(searcher, schema, url):
        old = from_document(doc)
        old_key = doc_key(old.url, old.version)
        if old_key == key:
            continue
        if _order(old) > _order(record):
            newer = True
        else:
            flag_superseded(writer, old)
    return not newer


def _latest_docs(
    searcher: tantivy.Searcher, schema: tantivy.Schema, url: str
) -> list[tantivy.Document]:
    query = filtered(tantivy.Query.term_query(schema, "url", url), [], superseded(schema))
    return [searcher.doc(addr) for _, addr in searcher.search(query, 100, count=False).hits]


def _order(record: PostRecord) -> tuple[int, str]:
    return record_order(record.version, record.fetched_at)


_Latest = dict[str, int]
"""Each URL's highest version so far (None counts as 0), in stream order. Versions alone
decide: two records of the same version are the same document (the later replaces the
earlier), so their fetch dates never need comparing. Its key is ``doc_key(url, version)``,
worked out when needed: held for every URL of a million-post archive, keys, fetch dates
and their tuples would cost some 300 MB more."""


def _advance(latest: _Latest, url: str, version: int | None) -> tuple[bool, int | None]:
    """The rebuild's rule for the next record of a stream: is it (so far) its URL's latest
    (the first of its URL, the same version again, or a higher one), and which version
    does it take over from? ``latest`` is updated."""
    number = version or 0
    top = latest.get(url)
    if top is not None and number < top:
        return False, None
    latest[url] = number
    return True, top if top is not None and top != number else None


def superseded_keys(versions: Iterable[tuple[str, int | None, str | None]]) -> set[str]:
    """The keys that will not be their URL's latest, from each record's (URL, version,
    fetched_at) in stream order: the rule of :func:`add_stream`, without the documents."""
    latest: _Latest = {}
    flagged: set[str] = set()
    for url, version, _ in versions:
        key = doc_key(url, version)
        is_latest, displaced = _advance(latest, url, version)
        if not is_latest:
            flagged.add(key)
            continue
        flagged.discard(key)
        if displaced is not None:
            flagged.add(doc_key(url, displaced))
    return flagged


def add_stream(
    writer: tantivy.IndexWriter,
    records: Iterable[PostRecord],
    forecast: Container[str] = frozenset(),
) -> tuple[int, set[str], set[str]]:
    """Write every record into an emptied index; return the count, the keys to flag and
    the keys to unflag once committed (:func:`demote`, :func:`promote`).

    Only the highest version of each URL so far is remembered. A record older than that is
    written flagged; so is a key in ``forecast`` (what :func:`superseded_keys` expects:
    with it, nearly every document is written once, with its final flag). A newer record
    makes the previous latest, if written unflagged, a key to flag; a latest written
    flagged (a wrong forecast) is a key to unflag. The same URL and version again replaces
    the first.
    """
    latest: _Latest = {}
    held: set[str] = set()  # URLs whose latest so far was written flagged (forecast)
    behind: set[str] = set()  # keys that are not (so far) their URL's latest
    stale: set[str] = set()  # of those, the ones written unflagged
    count = 0
    for record in records:
        count += 1
        url, key = record.url, doc_key(record.url, record.version)
        if latest.get(url) == (record.version or 0) or key in behind:
            writer.delete_documents_by_term("key", key)
            stale.discard(key)
        is_latest, displaced = _advance(latest, url, record.version)
        unflagged = is_latest and key not in forecast
        if not is_latest:
            behind.add(key)
        else:
            behind.discard(key)
            if displaced is not None:
                old = doc_key(url, displaced)
                behind.add(old)
                if url not in held:
                    stale.add(old)
            (held.discard if unflagged else held.add)(url)
        writer.add_document(to_document(record, latest=unflagged))
    wrong = {doc_key(url, latest[url]) for url in held}
    return count, stale, wrong


def demote(
    writer: tantivy.IndexWriter, searcher: tantivy.Searcher, schema: tantivy.Schema, keys: set[str]
) -> int:
    """Flag the committed, unflagged documents of ``keys``; returns how many."""
    count = 0
    for key in keys:
        query = filtered(tantivy.Query.term_query(schema, "key", key), [], superseded(schema))
        for _, addr in searcher.search(query, 10, count=False).hits:
            flag_superseded(writer, from_document(searcher.doc(addr)))
            count += 1
    return count


def promote(
    writer: tantivy.IndexWriter, searcher: tantivy.Searcher, schema: tantivy.Schema, keys: set[str]
) -> int:
    """Unflag the committed, flagged documents of ``keys``; returns how many."""
    count = 0
    for key in keys:
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "key", key)),
                (tantivy.Occur.Must, superseded(schema)),
            ]
        )
        for _, addr in searcher.search(query, 10, count=False).hits:
            record = from_document(searcher.doc(addr))
            writer.delete_documents_by_term("key", key)
            writer.add_document(to_document(record, latest=True))
            count += 1
    return count
