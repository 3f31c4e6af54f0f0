"""Search results: :class:`SearchHit`, built from a stored document, and its JSON form.

:func:`hits_to_json` is the ``--json`` array, where the snippet marks matched words with
``<mark>`` (the terminal form is the CLI's, :func:`crawler.commands.search.format_hit`).
The search itself is :meth:`archive.search.index.SearchIndex.search`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import tantivy

from archive.search.documents import searchable, stored_text
from archive.search.filters import parse_rating_bound
from archive.search.snippets import leading_text, mark_words, snippet_html, window_snippet

__all__ = ["SearchHit", "hits_to_json", "make_hit", "parse_rating_bound"]


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
    """BM25 score (0.0 when listing or sorting by date)."""
    warc: dict[str, Any] | None
    """:meth:`WarcRef.to_dict` of the post's WARC record, or None."""
    version: int | None = None
    """The post's version (1 for the first archived version of its URL), or None."""
    kind: str = "post"
    """``post`` or ``page`` (see :attr:`PostRecord.kind`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "rating": self.rating,
            "site": self.site,
            "kind": self.kind,
            "snippet": self.snippet,
            "score": self.score,
            "warc": self.warc,
            "version": self.version,
        }


def make_hit(
    doc: tantivy.Document,
    score: float,
    snippets: tantivy.SnippetGenerator | None = None,
    cjk_words: Sequence[str] = (),
) -> SearchHit:
    """The hit for a stored document; the snippet highlights what ``snippets`` and
    ``cjk_words`` match, or is the start of the body."""
    title, body = stored_text(doc)
    # Snippets quote the searchable text: tantivy's offsets are in it (no soft hyphens).
    text = searchable(body)
    tantivy_snippet = snippets.snippet_from_doc(doc) if snippets else None
    if text != (doc.get_first("body") or ""):
        # CJK text, masked in the index: tantivy's fragment would stop at the CJK text.
        snippet = window_snippet(text, [*cjk_words, *_highlighted(tantivy_snippet, text)])
    elif tantivy_snippet is not None:
        snippet = mark_words(snippet_html(tantivy_snippet, text), cjk_words)
    else:
        snippet = ""
    rating, warc = doc.get_first("rating"), doc.get_first("warc")
    return SearchHit(
        url=str(doc.get_first("url")),
        title=title,
        author=doc.get_first("authors"),
        published=doc.get_first("published_text"),
        rating=json.loads(rating) if rating else None,
        site=doc.get_first("site"),
        snippet=snippet or leading_text(body),
        score=float(score),
        warc=json.loads(warc) if warc else None,
        version=doc.get_first("version"),
        kind=doc.get_first("kind") or "post",
    )


def _highlighted(snippet: tantivy.Snippet | None, body: str) -> list[str]:
    """The words that ``snippet`` highlights, as they are written in ``body``."""
    if snippet is None:
        return []
    raw = body.encode("utf-8")
    return [raw[r.start : r.end].decode("utf-8", "replace") for r in snippet.highlighted()]


def hits_to_json(hits: Iterable[SearchHit]) -> str:
    """The hits as a JSON array (UTF-8 text, not ASCII-escaped, indented by 2)."""
    return json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2)
