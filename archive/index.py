"""The embedded full-text search index: tantivy, one directory, many readers, one writer.

:class:`SearchIndex` stores :class:`~archive.records.PostRecord` objects in a tantivy index
and searches them with BM25 (title boosted 3x, authors 2x, tags 1.5x over the body).

Writers hold tantivy's directory lock for one session (:meth:`SearchIndex.add`,
:meth:`SearchIndex.rebuild`): a second writer, in this process or another, waits with
backoff until ``lock_timeout`` and then raises :class:`IndexLockedError`. Readers never
take the lock, so searching works while a crawl is writing; every search reloads the
reader, so it sees the last commit.

The query language is described in :mod:`archive.query`; dates and the other filters in
:mod:`archive.filters`. The pieces live in their own modules:

- :mod:`archive.schema`: the schema, the analyzers and the schema version file;
- :mod:`archive.documents`: a post as a tantivy document;
- :mod:`archive.query` and :mod:`archive.query_compiler`: the query language;
- :mod:`archive.filters`: the search filters;
- :mod:`archive.ranking`: BM25 ranking with ties newest first, and listings by date;
- :mod:`archive.snippets`: the highlighted snippets.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from archive.documents import to_document
from archive.filters import build_filters, filtered, listing_query, parse_rating_bound
from archive.query import Node, QuerySyntaxError, parse_query_tree
from archive.query_compiler import QueryCompiler
from archive.ranking import newest, ranked
from archive.records import PostRecord
from archive.schema import (
    SCHEMA_VERSION,
    VERSION_FILE,
    SchemaVersionError,
    build_schema,
    name_analyzer,
    open_index,
    text_analyzer,
)
from archive.snippets import leading_text, snippet_generator, snippet_html

__all__ = [
    "SCHEMA_VERSION",
    "VERSION_FILE",
    "IndexLockedError",
    "QuerySyntaxError",
    "SchemaVersionError",
    "SearchHit",
    "SearchIndex",
    "parse_rating_bound",
]

_ADD_HEAP = 128_000_000
_REBUILD_HEAP = 256_000_000


class IndexLockedError(RuntimeError):
    """Another writer (a crawl or a reindex) kept the index lock past the timeout."""


@dataclass(frozen=True)
class SearchHit:
    """One search result, ready for display or JSON."""

    url: str
    title: str | None
    author: str | None
    """The first author (like :attr:`PostRecord.author`), or None."""
    published: str | None
    """The publication date as the post states it (ISO 8601), or None."""
    rating: dict[str, Any] | None
    """:meth:`Rating.to_dict` of the post's rating, or None."""
    site: str | None
    snippet: str
    """HTML-escaped text from the body, matched terms wrapped in ``<mark>…</mark>``."""
    score: float
    """BM25 score (0.0 when listing by date without a query)."""
    warc: dict[str, Any] | None
    """:meth:`WarcRef.to_dict` of the post's WARC record, or None."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "rating": self.rating,
            "site": self.site,
            "snippet": self.snippet,
            "score": self.score,
            "warc": self.warc,
        }


class SearchIndex:
    """A tantivy full-text index of posts in one directory."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._schema = build_schema()
        self._text = text_analyzer()
        self._name = name_analyzer()
        self._index = open_index(self.path, self._schema, self._text, self._name)

    @classmethod
    def recreate(cls, path: Path | str, *, lock_timeout: float = 60.0) -> SearchIndex:
        """Delete the index at ``path`` (any schema version) and create an empty one.

        For ``blogarchive reindex`` after a :class:`SchemaVersionError`; follow it with
        :meth:`rebuild`. It waits for the writer lock of the old index first, so it does
        not pull the index from under a running crawl.
        """
        target = Path(path)
        if (target / "meta.json").exists():
            old = tantivy.Index.open(str(target))
            writer = _acquire_writer(old, target, lock_timeout, 15_000_000, 1)
            writer.rollback()
            writer.wait_merging_threads()
            del writer, old
            _empty_directory(target)
        return cls(target)

    # ---------------------------------------------------------------- writing

    def _write(
        self, records: Iterable[PostRecord], *, clear: bool, lock_timeout: float, heap: int
    ) -> int:
        """One writer session: lock, (clear,) upsert every record, commit, unlock."""
        count = 0
        writer = _acquire_writer(self._index, self.path, lock_timeout, heap, 0)
        try:
            if clear:
                writer.delete_all_documents()
            for record in records:
                writer.delete_documents_by_term("url", record.url)
                writer.add_document(to_document(record))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
            del writer  # the last reference: dropping tantivy's writer releases the lock
        self._index.reload()
        return count

    def add(self, records: Iterable[PostRecord], *, lock_timeout: float = 60.0) -> int:
        """Upsert ``records`` by URL in one writer session (one commit); returns the count.

        Waits (with backoff) up to ``lock_timeout`` seconds for another writer to finish,
        then raises :class:`IndexLockedError`. Within a batch the last record for a URL wins.
        """
        return self._write(records, clear=False, lock_timeout=lock_timeout, heap=_ADD_HEAP)

    def rebuild(self, records: Iterable[PostRecord], *, lock_timeout: float = 60.0) -> int:
        """Replace the whole index with ``records`` in one commit; returns the count.

        Searches see the old contents until the commit. Duplicate URLs keep the last record.
        """
        return self._write(records, clear=True, lock_timeout=lock_timeout, heap=_REBUILD_HEAP)

    # ---------------------------------------------------------------- reading

    def _searcher(self) -> tantivy.Searcher:
        # Pick up commits from other processes (or instances): cheap when nothing changed.
        # A concurrent merge may delete a segment between reading meta.json and opening it.
        for attempt in range(3):
            try:
                self._index.reload()
                break
            except ValueError:
                if attempt == 2:
                    raise
                time.sleep(0.05)
        return self._index.searcher()

    def count(self) -> int:
        """Number of posts in the index."""
        return int(self._searcher().num_docs)

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        author: str | None = None,
        min_rating: float | str | None = None,
        max_rating: float | str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Search posts, best BM25 match first (ties: newest first).

        An empty ``query`` lists the posts that pass the filters, newest first (posts
        without a date last). Filters: ``site`` exact; ``author`` one author's full name,
        case- and accent-insensitive; ``min_rating``/``max_rating`` on the normalized 0..1
        scale (a float or text for :func:`parse_rating_bound`), excluding unrated posts;
        ``since``/``until`` ISO dates or datetimes, inclusive, excluding undated posts.
        Raises :class:`QuerySyntaxError` for a bad query and ValueError for a bad filter.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        filters = build_filters(
            self._schema,
            site=site,
            author=author,
            min_rating=min_rating,
            max_rating=max_rating,
            since=since,
            until=until,
        )
        text = query.strip()
        tree = parse_query_tree(text) if text else None
        if limit == 0:
            return []
        searcher = self._searcher()
        if tree is None:
            listed = newest(searcher, listing_query(filters), limit, offset)
            return [self._hit(searcher, addr, 0.0, None) for addr in listed]
        return self._search_tree(searcher, text, tree, filters, limit, offset)

    def _search_tree(
        self,
        searcher: tantivy.Searcher,
        text: str,
        tree: Node,
        filters: list[tantivy.Query],
        limit: int,
        offset: int,
    ) -> list[SearchHit]:
        """The hits for the parsed query ``tree`` (of ``text``), with snippets."""
        compiler = QueryCompiler(self._schema, self._text, self._name, searcher, text)
        matched = compiler.compile(tree)
        if matched is None:
            raise QuerySyntaxError(
                f"the query {text!r} has no searchable words "
                "(only punctuation or symbols); search for words or numbers"
            )
        hits = ranked(searcher, filtered(matched, filters), offset + limit)[offset : offset + limit]
        highlight = compiler.highlight_query()
        snippets: tantivy.SnippetGenerator | None = None
        if highlight is not None and hits:
            snippets = snippet_generator(searcher, highlight, self._schema)
        return [self._hit(searcher, addr, score, snippets) for score, addr in hits]

    def _hit(
        self,
        searcher: tantivy.Searcher,
        address: tantivy.DocAddress,
        score: float,
        snippets: tantivy.SnippetGenerator | None,
    ) -> SearchHit:
        doc = searcher.doc(address)
        body = doc.get_first("body") or ""
        snippet = snippet_html(snippets.snippet_from_doc(doc), body) if snippets else ""
        rating = doc.get_first("rating")
        warc = doc.get_first("warc")
        return SearchHit(
            url=str(doc.get_first("url")),
            title=doc.get_first("title"),
            author=doc.get_first("authors"),
            published=doc.get_first("published_text"),
            rating=json.loads(rating) if rating else None,
            site=doc.get_first("site"),
            snippet=snippet or leading_text(body),
            score=float(score),
            warc=json.loads(warc) if warc else None,
        )


def _acquire_writer(
    index: tantivy.Index, path: Path, timeout: float, heap_size: int, threads: int
) -> tantivy.IndexWriter:
    """Open the index's single writer, retrying with backoff while another holds it."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return index.writer(heap_size, threads)
        except ValueError as exc:
            if "LockBusy" not in str(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise IndexLockedError(
                    f"the search index at {path} is locked by another writer (a running "
                    f"`blogarchive crawl` or `reindex` holds it); gave up after {timeout:g}s"
                ) from None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)


def _empty_directory(directory: Path) -> None:
    for child in directory.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
