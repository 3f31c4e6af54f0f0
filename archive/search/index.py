"""The embedded full-text search index: tantivy, one directory, many readers, one writer.

:class:`SearchIndex` stores :class:`~archive.records.PostRecord` objects in a tantivy index
and searches them with BM25 (title boosted 3x, authors 2x, tags 1.5x over the body).

Versions: every version of a URL is its own document (keyed by URL and ``version``), so
re-adding a version replaces it rather than duplicating it. The latest version of a
URL (highest ``version``, then newest ``fetched_at``) is the one without the
``superseded`` flag: when a newer version arrives, the writer re-adds the older one with
the flag. Searches leave flagged documents out unless asked for ``all_versions``, a
prohibited clause on a short posting list: cheap at any size.

Concurrency: several processes may write (crawls, scheduled runs, ``reindex``). Each
write (:meth:`SearchIndex.add`, one batch of posts; :meth:`SearchIndex.rebuild`) is one
session holding tantivy's directory lock: a second writer, in this process or another,
waits with backoff until ``lock_timeout`` and then raises :class:`IndexLockedError`.
Crawls add in batches (``ARCHIVE_INDEX_BATCH_SIZE``), so they hold the lock for a
fraction of a second and take turns; a crawl that cannot get the lock in time logs it
and goes on (the JSONL keeps the posts for ``reindex``). The latest-version flags are settled inside the
session, after reloading the index, so concurrent writers keep them consistent.
Readers never take the lock, so searching works while a crawl is writing; every
search reloads the reader, so it sees the last commit.

The pieces live in their own modules:

- :mod:`archive.search.schema`: the schema, the analyzers and the schema version file;
- :mod:`archive.search.documents`: a post as a tantivy document (and CJK text);
- :mod:`archive.search.rebuild`: writing versions with their flags; items from WARC metadata;
- :mod:`archive.search.query` and :mod:`archive.search.compiler`: the query language;
- :mod:`archive.search.filters`: the search filters;
- :mod:`archive.search.ranking`: BM25 ranking with ties newest first, and listings by date;
- :mod:`archive.search.snippets`: the highlighted snippets;
- :mod:`archive.search.hits`: :class:`SearchHit` and its terminal and JSON forms.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Literal

import tantivy

from archive.records import PostRecord
from archive.search.compiler import QueryCompiler
from archive.search.documents import from_document, record_order
from archive.search.filters import (
    build_filters,
    filtered,
    listing_query,
    parse_rating_bound,
    superseded,
)
from archive.search.hits import SearchHit, make_hit
from archive.search.query import Node, QuerySyntaxError, parse_query_tree
from archive.search.ranking import newest, ranked
from archive.search.rebuild import add_batch, add_stream, demote, promote
from archive.search.schema import (
    SCHEMA_VERSION,
    VERSION_FILE,
    SchemaVersionError,
    build_schema,
    name_analyzer,
    open_index,
    text_analyzer,
)
from archive.search.snippets import snippet_generator

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


logger = logging.getLogger(__name__)
_ADD_HEAP = 128_000_000
_REBUILD_HEAP = 256_000_000
_MAX_VERSIONS = 10_000

Sort = Literal["relevance", "date"]


class IndexLockedError(RuntimeError):
    """Another writer (a crawl or a reindex) kept the index lock past the timeout."""


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
            try:
                old = tantivy.Index.open(str(target))
            except ValueError as exc:  # corrupted beyond opening: nothing to wait for
                logger.warning("the old index cannot be opened (%s); replacing it", exc)
            else:
                writer = _acquire_writer(old, target, lock_timeout, 15_000_000, 1)
                writer.rollback()
                writer.wait_merging_threads()
                del writer, old
        if target.exists():
            _empty_directory(target)
        return cls(target)

    # ---------------------------------------------------------------- writing

    def add(self, records: Iterable[PostRecord], *, lock_timeout: float = 60.0) -> int:
        """Add ``records`` in one writer session (one commit); returns the count.

        A record replaces the indexed one with the same URL and version (within a batch,
        the last one wins); other versions are kept, and the latest of each URL is
        flagged as such. Waits (with backoff) up to ``lock_timeout`` seconds for another
        writer to finish, then raises :class:`IndexLockedError`.
        """
        writer = _acquire_writer(self._index, self.path, lock_timeout, _ADD_HEAP, 0)
        with _session(writer):
            self._index.reload()
            count = add_batch(writer, self._index.searcher(), self._schema, records)
            writer.commit()
        self._index.reload()
        return count

    def rebuild(
        self,
        records: Iterable[PostRecord],
        *,
        forecast: Container[str] = frozenset(),
        lock_timeout: float = 60.0,
    ) -> int:
        """Replace the whole index with ``records``; returns the count.

        Searches see the old contents until the first commit. Records of the same URL and
        version keep the last one. Older versions of a URL that came before its latest
        are flagged in a second, short commit, unless ``forecast`` named them (the keys
        :func:`~archive.search.rebuild.superseded_keys` finds in a first, cheap pass):
        then they are written flagged at once. A wrong forecast costs time, not results.
        """
        writer = _acquire_writer(self._index, self.path, lock_timeout, _REBUILD_HEAP, 0)
        with _session(writer):
            writer.delete_all_documents()
            count, stale, wrong = add_stream(writer, records, forecast)
            writer.commit()
            if stale or wrong:
                self._index.reload()
                searcher = self._index.searcher()
                fixed = demote(writer, searcher, self._schema, stale)
                if fixed + promote(writer, searcher, self._schema, wrong):
                    writer.commit()
        self._index.reload()
        return count

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

    def count(self, *, all_versions: bool = False) -> int:
        """Number of items (posts and pages) in the index (with ``all_versions``, of
        their versions)."""
        searcher = self._searcher()
        total = int(searcher.num_docs)
        if all_versions:
            return total
        flagged = searcher.search(superseded(self._schema), 1, count=True)
        return total - int(getattr(flagged, "count", 0) or 0)

    def versions(self, url: str) -> list[PostRecord]:
        """Every indexed version of ``url``, oldest first (the last one is the latest)."""
        searcher = self._searcher()
        query = tantivy.Query.term_query(self._schema, "url", url)
        hits = searcher.search(query, _MAX_VERSIONS, count=False).hits
        records = [from_document(searcher.doc(addr)) for _, addr in hits]
        return sorted(records, key=lambda r: record_order(r.version, r.fetched_at))

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
        tag: str | Sequence[str] | None = None,
        lang: str | None = None,
        kind: str | None = "post",
        sort: Sort = "relevance",
        all_versions: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Search posts, best BM25 match first (ties: newest first), or newest first.

        An empty ``query`` lists the posts that pass the filters, newest first (posts
        without a date last). Filters: ``site`` exact; ``author`` one author's full name,
        case- and accent-insensitive; ``min_rating``/``max_rating`` on the normalized 0..1
        scale (a float or text for :func:`parse_rating_bound`), excluding unrated posts;
        ``since``/``until`` ISO dates or datetimes, inclusive, excluding undated posts;
        ``tag`` one tag or several (all required), whole tags, case- and
        accent-insensitive; ``lang`` a language (``fr`` matches ``fr-FR``); ``kind``
        ``post`` (the default), ``page``, or ``all`` (or None) for both. ``sort="date"``
        orders the matches newest first (score 0.0). Only the latest version of each URL
        is searched unless ``all_versions``. Raises :class:`QuerySyntaxError` for a bad
        query and ValueError for a bad filter.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        if sort not in ("relevance", "date"):
            raise ValueError(f"invalid sort {sort!r}: use 'relevance' or 'date'")
        filters = build_filters(
            self._schema,
            site=site,
            author=author,
            min_rating=min_rating,
            max_rating=max_rating,
            since=since,
            until=until,
            tags=[tag] if isinstance(tag, str) else list(tag or ()),
            lang=lang,
            kind=kind,
        )
        exclude = None if all_versions else superseded(self._schema)
        text = query.strip()
        tree = parse_query_tree(text) if text else None
        if limit == 0:
            return []
        searcher = self._searcher()
        if tree is None:
            listed = newest(searcher, listing_query(filters, exclude), limit, offset)
            return [make_hit(searcher.doc(addr), 0.0) for addr in listed]
        compiler = QueryCompiler(self._schema, self._text, self._name, searcher, text)
        matched = self._compile(compiler, tree, text)
        full = filtered(matched, filters, exclude)
        if sort == "date":
            hits = [(0.0, addr) for addr in newest(searcher, full, limit, offset)]
        else:
            wanted = offset + limit
            hits = ranked(searcher, full, wanted, ties=compiler.has_prefix)[offset:wanted]
        return self._hits(searcher, compiler, hits)

    @staticmethod
    def _compile(compiler: QueryCompiler, tree: Node, text: str) -> tantivy.Query:
        matched = compiler.compile(tree)
        if matched is None:
            raise QuerySyntaxError(
                f"the query {text!r} has no searchable words "
                "(only punctuation or symbols); search for words or numbers"
            )
        return matched

    def _hits(
        self,
        searcher: tantivy.Searcher,
        compiler: QueryCompiler,
        hits: list[tuple[float, tantivy.DocAddress]],
    ) -> list[SearchHit]:
        """The hits, with snippets that highlight the query's words."""
        highlight = compiler.highlight_query()
        snippets: tantivy.SnippetGenerator | None = None
        if highlight is not None and hits:
            snippets = snippet_generator(searcher, highlight, self._schema)
        return [
            make_hit(searcher.doc(addr), score, snippets, compiler.cjk_terms)
            for score, addr in hits
        ]


# ---------------------------------------------------------------- writer sessions


@contextmanager
def _session(writer: tantivy.IndexWriter) -> Iterator[None]:
    """Roll back on error; always wait for merges and drop the writer (the lock)."""
    try:
        yield
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()  # consumes tantivy's writer, which frees the lock


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
