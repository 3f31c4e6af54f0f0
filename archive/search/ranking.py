"""Running searches: the best hits by score (ties newest first), or a listing by date."""

from __future__ import annotations

from collections.abc import Sequence

import tantivy

__all__ = ["newest", "ranked"]

_TIE_FETCH_CAP = 2000  # extra hits fetched to break score ties by date

_Hits = Sequence[tuple[float, tantivy.DocAddress]]


def newest(
    searcher: tantivy.Searcher, query: tantivy.Query, limit: int, offset: int
) -> list[tantivy.DocAddress]:
    """The matches of ``query``, newest first (undated last), without scoring."""
    result = searcher.search(
        query,
        limit,
        count=False,
        order_by_field="published",
        order=tantivy.Order.Desc,
        offset=offset,
    )
    return [addr for _, addr in result.hits]


def ranked(
    searcher: tantivy.Searcher, query: tantivy.Query, wanted: int, *, ties: bool = False
) -> list[tuple[float, tantivy.DocAddress]]:
    """The top ``wanted`` hits by score, equal scores ordered newest first.

    tantivy orders ties by document address, so fetch past ``wanted`` until the
    score at the cut-off changes (at most ``_TIE_FETCH_CAP`` more), then re-sort.
    Past the cap, a tie at the cut-off is broken by document order. ``ties`` says
    they are likely (a prefix scores its matches alike): fetch past them at once.
    """
    hits, fetch = _fetch_past_ties(searcher, query, wanted, ties=ties)
    if not hits:
        return []
    if len(hits) == fetch and hits[0][0] == hits[-1][0]:
        # Over _TIE_FETCH_CAP hits share the top score: a constant-score query (a bare
        # prefix, a pure negation). Order all its matches by date instead.
        return _all_by_date(searcher, query, wanted, hits[0][0])
    return _ties_newest_first(searcher, hits, wanted)


def _fetch_past_ties(
    searcher: tantivy.Searcher, query: tantivy.Query, wanted: int, *, ties: bool
) -> tuple[_Hits, int]:
    """The top hits, past ``wanted`` if the score ties there; and how many were asked for.

    One search for ``wanted + 1``; on a tie at the cut-off, one more for
    ``wanted + _TIE_FETCH_CAP`` (a search costs about the same for 21 or 2,020 hits,
    as it visits every match either way).
    """
    fetch = wanted + 1
    if not ties:
        hits: _Hits = searcher.search(query, fetch, count=False).hits
        if len(hits) < fetch or hits[-1][0] < hits[wanted - 1][0]:
            return hits, fetch
    fetch = wanted + _TIE_FETCH_CAP
    return searcher.search(query, fetch, count=False).hits, fetch


def _all_by_date(
    searcher: tantivy.Searcher, query: tantivy.Query, wanted: int, score: float
) -> list[tuple[float, tantivy.DocAddress]]:
    dated = searcher.search(
        query,
        wanted,
        count=False,
        order_by_field="published_ts",
        order=tantivy.Order.Desc,
    ).hits
    return [(score, addr) for _, addr in dated]


def _ties_newest_first(
    searcher: tantivy.Searcher, hits: _Hits, wanted: int
) -> list[tuple[float, tantivy.DocAddress]]:
    dates = searcher.fast_field_values("published_ts", [addr for _, addr in hits])
    keyed = [
        (-score, -(stamp if isinstance(stamp, int) else -(2**63)), n)
        for n, ((score, _), stamp) in enumerate(zip(hits, dates, strict=True))
    ]
    keyed.sort()
    return [hits[n] for _, _, n in keyed[:wanted]]
