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
    searcher: tantivy.Searcher, query: tantivy.Query, wanted: int
) -> list[tuple[float, tantivy.DocAddress]]:
    """The top ``wanted`` hits by score, equal scores ordered newest first.

    tantivy orders ties by document address, so fetch past ``wanted`` until the
    score at the cut-off changes (at most ``_TIE_FETCH_CAP`` more), then re-sort.
    Past the cap, a tie at the cut-off is broken by document order.
    """
    hits, fetch = _fetch_past_ties(searcher, query, wanted)
    if not hits:
        return []
    if len(hits) == fetch and hits[0][0] == hits[-1][0]:
        # Over _TIE_FETCH_CAP hits share the top score: a constant-score query (a bare
        # prefix, a pure negation). Order all its matches by date instead.
        return _all_by_date(searcher, query, wanted, hits[0][0])
    return _ties_newest_first(searcher, hits, wanted)


def _fetch_past_ties(
    searcher: tantivy.Searcher, query: tantivy.Query, wanted: int
) -> tuple[_Hits, int]:
    """The top hits, past ``wanted`` until the score changes; and how many were asked for."""
    fetch = wanted + 1
    while True:
        hits: _Hits = searcher.search(query, fetch, count=False).hits
        if (
            len(hits) < fetch
            or hits[-1][0] < hits[wanted - 1][0]
            or fetch >= wanted + _TIE_FETCH_CAP
        ):
            return hits, fetch
        fetch = min(fetch * 2, wanted + _TIE_FETCH_CAP)


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
