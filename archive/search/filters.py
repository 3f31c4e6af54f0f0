"""Search filters (kind, site, author, rating, dates, tags, language) as tantivy queries.

Filters are required clauses that add nothing to the score. Old versions of a post
are left out with a prohibited clause (``superseded:1``), which costs little: the
posting list of superseded versions is short next to the matches it is tested against.

Kinds: items are ``post`` (blog entries) or ``page`` (standalone pages: an about page, a
tutorial kept as a page). Searches show posts unless asked for ``page`` or ``all``.

Dates: ``published`` is indexed as the post's own wall-clock time (its UTC offset is
dropped), so ``since="2019-03-01"`` means "dated March 1st or later where it was
published". Datetime bounds are compared the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import tantivy

from archive.search.documents import author_key, language_key, wall_clock

__all__ = [
    "KINDS",
    "build_filters",
    "date_bound",
    "filtered",
    "listing_query",
    "parse_rating_bound",
    "superseded",
]


KINDS = ("post", "page", "all")
"""What a search may show: posts (the default), pages, or all items."""


def parse_rating_bound(text: str | float) -> float:
    """Parse a rating bound on the normalized 0..1 scale.

    Accepts a number in [0, 1] (``"0.75"``) or a fraction ``"a/b"`` meaning "a on a
    scale up to b". Ratings normalize with the scale's bottom (schema.org's 1, or 0 for
    star widgets), so a 4/5 is 0.75 or 0.8; the bound takes the lower, (a-1)/(b-1), so
    that ``"4/5"`` keeps every post rated 4 out of 5 whatever its scale's bottom.
    """
    if isinstance(text, bool):
        raise TypeError(f"invalid rating bound {text!r}")
    shown = repr(text)
    value = float(text) if isinstance(text, int | float) else _parse_rating_text(text, shown)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(
            f"invalid rating bound {shown}: ratings are normalized to 0..1; "
            "use a number between 0 and 1 (e.g. 0.75) or a fraction like 4/5"
        )
    return value


def _parse_rating_text(text: str, shown: str) -> float:
    raw = text.strip()
    try:
        if "/" in raw:
            return _parse_fraction(raw, shown)
        return float(raw)
    except ValueError as exc:
        if "denominator" in str(exc):
            raise
        raise ValueError(
            f"invalid rating bound {shown}: use a number between 0 and 1 "
            "(e.g. 0.75) or a fraction like 4/5"
        ) from None


def _parse_fraction(raw: str, shown: str) -> float:
    num_text, _, den_text = raw.partition("/")
    num, den = float(num_text), float(den_text)
    if den <= 0:
        raise ValueError(f"invalid rating bound {shown}: the denominator must be > 0")
    return (num - 1) / (den - 1) if den > 1 and num >= 1 else num / den


def date_bound(value: str | date | None, *, upper: bool) -> tuple[datetime, bool] | None:
    """A filter bound as (datetime, inclusive); a date covers its whole day."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse_date_text(value, upper=upper)
    if isinstance(value, datetime):
        return wall_clock(value), True
    start = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if upper:
        return start + timedelta(days=1), False  # the whole day, exclusive of the next
    return start, True


def _parse_date_text(value: str, *, upper: bool) -> date:
    raw = value.strip()
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw)
    except ValueError:
        which = "until" if upper else "since"
        raise ValueError(
            f"invalid {which} date {value!r}: use ISO 8601, e.g. 2019-03-01 or 2019-03-01T12:00:00"
        ) from None


def build_filters(
    schema: tantivy.Schema,
    *,
    site: str | None,
    author: str | None,
    min_rating: float | str | None,
    max_rating: float | str | None,
    since: str | date | None,
    until: str | date | None,
    tags: Sequence[str] = (),
    lang: str | None = None,
    kind: str | None = "post",
) -> list[tantivy.Query]:
    """The filter queries for :meth:`archive.search.index.SearchIndex.search` (ValueError if bad).

    ``tags``: the post has every one of them (case- and accent-insensitive, whole tags);
    ``lang``: a language tag, ``fr`` also matching ``fr-FR`` (case-insensitive);
    ``kind``: ``post``, ``page``, or ``all`` (or None) for both.
    """
    filters: list[tantivy.Query] = []
    if kind is not None and kind != "all":
        filters.append(_kind_filter(schema, kind))
    if site is not None:
        filters.append(tantivy.Query.term_query(schema, "site", site))
    if author is not None:
        filters.append(_author_filter(schema, author))
    filters.extend(_key_filter(schema, "tag_key", author_key(tag), "tag") for tag in tags)
    if lang is not None:
        filters.append(_key_filter(schema, "lang", language_key(lang), "language"))
    if min_rating is not None or max_rating is not None:
        filters.append(_rating_filter(schema, min_rating, max_rating))
    published = _date_filter(schema, since, until)
    if published is not None:
        filters.append(published)
    return filters


def _kind_filter(schema: tantivy.Schema, kind: str) -> tantivy.Query:
    if kind not in KINDS:
        raise ValueError(f"invalid kind {kind!r}: use {', '.join(KINDS)}")
    return tantivy.Query.term_query(schema, "kind", kind)


def _key_filter(schema: tantivy.Schema, field: str, key: str, what: str) -> tantivy.Query:
    if not key:
        raise ValueError(f"the {what} filter is empty")
    return tantivy.Query.term_query(schema, field, key)


def _author_filter(schema: tantivy.Schema, author: str) -> tantivy.Query:
    key = author_key(author)
    if not key:
        raise ValueError("the author filter is empty")
    return tantivy.Query.term_query(schema, "author_key", key)


def _rating_filter(
    schema: tantivy.Schema, min_rating: float | str | None, max_rating: float | str | None
) -> tantivy.Query:
    lo = 0.0 if min_rating is None else parse_rating_bound(min_rating)
    hi = 1.0 if max_rating is None else parse_rating_bound(max_rating)
    return tantivy.Query.range_query(schema, "rating_norm", tantivy.FieldType.Float, lo, hi)


def _date_filter(
    schema: tantivy.Schema, since: str | date | None, until: str | date | None
) -> tantivy.Query | None:
    lower = date_bound(since, upper=False)
    upper = date_bound(until, upper=True)
    if lower is None and upper is None:
        return None
    return tantivy.Query.range_query(
        schema,
        "published",
        tantivy.FieldType.Date,
        None if lower is None else lower[0],
        None if upper is None else upper[0],
        include_lower=True if lower is None else lower[1],
        include_upper=True if upper is None else upper[1],
    )


def superseded(schema: tantivy.Schema) -> tantivy.Query:
    """The versions of posts that a newer version of the same URL replaced."""
    return tantivy.Query.term_query(schema, "superseded", "1")


def listing_query(
    filters: list[tantivy.Query], exclude: tantivy.Query | None = None
) -> tantivy.Query:
    """The posts that pass every filter (all posts without filters), minus ``exclude``."""
    if not filters and exclude is None:
        return tantivy.Query.all_query()
    return _combine(tantivy.Query.all_query(), filters, exclude)


def filtered(
    query: tantivy.Query, filters: list[tantivy.Query], exclude: tantivy.Query | None = None
) -> tantivy.Query:
    """``query`` restricted to the filters, which add nothing to its score, minus ``exclude``."""
    if not filters and exclude is None:
        return query
    return _combine(query, filters, exclude)


def _combine(
    query: tantivy.Query, filters: list[tantivy.Query], exclude: tantivy.Query | None
) -> tantivy.Query:
    clauses = [(tantivy.Occur.Must, query)]
    clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
    if exclude is not None:
        clauses.append((tantivy.Occur.MustNot, exclude))
    return tantivy.Query.boolean_query(clauses)
