"""Search results: :class:`SearchHit`, built from a stored document, and its two forms.

:func:`format_hit` is the terminal form (matched words highlighted in colour when the
output is a terminal); :func:`hits_to_json` the ``--json`` array, where the snippet marks
matched words with ``<mark>``. The search itself is
:meth:`archive.index.SearchIndex.search`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import tantivy

from archive.documents import searchable, stored_text
from archive.filters import parse_rating_bound
from archive.snippets import leading_text, mark_words, snippet_html, window_snippet

__all__ = ["SearchHit", "format_hit", "hits_to_json", "make_hit", "parse_rating_bound"]

_BOLD = "\x1b[1m"
_NORMAL = "\x1b[22m"
_HIGHLIGHT = "\x1b[1;33m"  # bold yellow, like grep's matches
_PLAIN = "\x1b[22;39m"  # normal weight, default colour
_DIM = "\x1b[2m"
_MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
# Control characters (C0 but tab, DEL, C1): scraped text must not drive the terminal.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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


def _clean(text: str) -> str:
    return " ".join(_CONTROL_RE.sub("", text).split())


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _rating_text(rating: dict[str, Any] | None) -> str | None:
    if not rating or rating.get("value") is None:
        return None
    text = f"★ {_number(rating['value'])}/{_number(rating.get('best', 5))}"
    count = rating.get("count")
    if count:
        text += f" ({count} vote{'s' if count != 1 else ''})"
    return text


def format_hit(hit: SearchHit, *, color: bool) -> str:
    """A hit as terminal text: the title, then ``author · date · ★ 4.5/5 · site`` (and
    ``page`` for a page), the URL and the snippet, indented. With ``color`` (ANSI), the
    title is bold, the URL dim and the matched words bold yellow; without, the text is plain.
    """
    title = _clean(hit.title or "") or hit.url
    meta = [
        _clean(hit.author or ""),
        (hit.published or "")[:10],
        _rating_text(hit.rating) or "",
        _clean(hit.site or ""),
        "" if hit.kind == "post" else _clean(hit.kind),
        f"v{hit.version}" if hit.version and hit.version > 1 else "",
    ]
    url = _clean(hit.url)
    if color:
        title = f"{_BOLD}{title}{_NORMAL}"
        url = f"{_DIM}{url}{_NORMAL}"
    lines = [title]
    if any(meta):
        lines.append("  " + " · ".join(part for part in meta if part))
    lines.append("  " + url)
    snippet = _terminal_snippet(hit.snippet, color=color)
    if snippet:
        lines.append("  " + snippet)
    return "\n".join(lines)


def _terminal_snippet(snippet: str, *, color: bool) -> str:
    """The HTML snippet as terminal text: highlights in colour (or plain), no control codes."""
    # re.split with one group alternates: text, highlighted, text, highlighted, ..., text.
    pieces = _MARK_RE.split(snippet)
    out: list[str] = []
    for n, piece in enumerate(pieces):
        text = re.sub(r"\s+", " ", _CONTROL_RE.sub("", html.unescape(piece)))
        out.append(f"{_HIGHLIGHT}{text}{_PLAIN}" if color and n % 2 and text else text)
    return "".join(out).strip()


def hits_to_json(hits: Iterable[SearchHit]) -> str:
    """The hits as a JSON array (UTF-8 text, not ASCII-escaped, indented by 2)."""
    return json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2)
