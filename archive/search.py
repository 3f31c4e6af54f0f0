"""Helpers for ``blogarchive search``: parse the options, print the hits.

The search itself is :meth:`archive.index.SearchIndex.search`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

from archive.filters import parse_rating_bound
from archive.index import SearchHit

__all__ = ["format_hit", "hits_to_json", "parse_rating_bound"]

_BOLD = "\x1b[1m"
_NORMAL = "\x1b[22m"
_MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
# Control characters (C0 but tab, DEL, C1): scraped text must not drive the terminal.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    """A hit as terminal text: the title, then ``author · date · ★ 4.5/5 · site``,
    the URL and the snippet, indented. With ``color``, the title and the matched words
    are bold (ANSI); without, the text is plain.
    """
    title = _clean(hit.title or "") or hit.url
    meta = [
        _clean(hit.author or ""),
        (hit.published or "")[:10],
        _rating_text(hit.rating) or "",
        _clean(hit.site or ""),
    ]
    if color:
        title = f"{_BOLD}{title}{_NORMAL}"
    lines = [title]
    if any(meta):
        lines.append("  " + " · ".join(part for part in meta if part))
    lines.append("  " + _clean(hit.url))
    snippet = _terminal_snippet(hit.snippet, color=color)
    if snippet:
        lines.append("  " + snippet)
    return "\n".join(lines)


def _terminal_snippet(snippet: str, *, color: bool) -> str:
    """The HTML snippet as terminal text: highlights bold (or plain), no control codes."""
    # re.split with one group alternates: text, highlighted, text, highlighted, ..., text.
    pieces = _MARK_RE.split(snippet)
    out: list[str] = []
    for n, piece in enumerate(pieces):
        text = re.sub(r"\s+", " ", _CONTROL_RE.sub("", html.unescape(piece)))
        out.append(f"{_BOLD}{text}{_NORMAL}" if color and n % 2 and text else text)
    return "".join(out).strip()


def hits_to_json(hits: Iterable[SearchHit]) -> str:
    """The hits as a JSON array (UTF-8 text, not ASCII-escaped, indented by 2)."""
    return json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2)
