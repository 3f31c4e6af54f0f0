"""Search-result snippets: HTML-escaped body text, matched terms in ``<mark>…</mark>``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import tantivy

__all__ = ["SNIPPET_CHARS", "leading_text", "snippet_generator", "snippet_html"]

SNIPPET_CHARS = 200

_WORD_RE = re.compile(r"\w")


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _escape(text: str) -> str:
    """Whitespace collapsed, HTML-escaped (quotes kept)."""
    return html.escape(_collapse(text), False)


def leading_text(body: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of the body, about ``limit`` characters, cut at a word, HTML-escaped."""
    text = _collapse(body).strip()
    if len(text) <= limit:
        return html.escape(text, quote=False)
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return html.escape(cut.rstrip(), quote=False) + "…"


def snippet_generator(
    searcher: tantivy.Searcher, highlight: tantivy.Query, schema: tantivy.Schema
) -> tantivy.SnippetGenerator:
    """A generator of body snippets that highlights the terms of ``highlight``."""
    generator = tantivy.SnippetGenerator.create(searcher, highlight, schema, "body")
    generator.set_max_num_chars(SNIPPET_CHARS)
    return generator


def snippet_html(snippet: tantivy.Snippet, body: str) -> str:
    """The snippet's fragment, HTML-escaped, highlights in <mark>, "…" where cut."""
    fragment = snippet.fragment()
    if not fragment:
        return ""
    text = _marked(fragment.encode("utf-8"), snippet.highlighted())
    # Elide the body around the fragment; keep what is left if it is only punctuation.
    frag_range = snippet.fragment_range()
    body_raw = body.encode("utf-8")
    before = body_raw[: frag_range.start].decode("utf-8", "replace")
    after = body_raw[frag_range.end :].decode("utf-8", "replace")
    if before:
        text = _elided(before) + text
    if after:
        text += _elided(after)
    return text.strip()


def _marked(raw: bytes, highlighted: Iterable[Any]) -> str:
    """The UTF-8 fragment ``raw``, escaped, with the byte ranges ``highlighted`` marked."""
    parts: list[str] = []
    cursor = 0
    for rng in sorted(highlighted, key=lambda r: r.start):
        start, end = max(rng.start, cursor), rng.end
        if end <= start:
            continue
        parts.append(_escape(raw[cursor:start].decode("utf-8", "replace")))
        parts.append(f"<mark>{_escape(raw[start:end].decode('utf-8', 'replace'))}</mark>")
        cursor = end
    parts.append(_escape(raw[cursor:].decode("utf-8", "replace")))
    return "".join(parts)


def _elided(text: str) -> str:
    """Body text left out of the snippet: "…", or itself if it has no word characters."""
    return "…" if _WORD_RE.search(text) else _escape(text)
