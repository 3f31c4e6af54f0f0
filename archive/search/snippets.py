"""Search-result snippets: HTML-escaped body text, matched terms in ``<mark>…</mark>``.

tantivy picks the fragment and the highlights for words; CJK words, which tantivy
indexes as bigrams in another field, are marked here by plain string search
(:func:`mark_words`), and a post that matched only by CJK words gets the window of
text around its first one (:func:`window_snippet`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import tantivy

__all__ = [
    "SNIPPET_CHARS",
    "leading_text",
    "mark_words",
    "snippet_generator",
    "snippet_html",
    "window_snippet",
]

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
    """The snippet's fragment, HTML-escaped, highlights in <mark>, "…" where cut.

    The fragment is cut from ``body`` by byte offsets, so ``body`` may be the original
    of the CJK-masked text the snippet was made from (same offsets).
    """
    if not snippet.fragment():
        return ""
    frag_range = snippet.fragment_range()
    body_raw = body.encode("utf-8")
    fragment = body_raw[frag_range.start : frag_range.end]
    text = _marked(fragment, snippet.highlighted())
    # Elide the body around the fragment; keep what is left if it is only punctuation.
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


def mark_words(snippet: str, words: Iterable[str]) -> str:
    """Wrap each occurrence of ``words`` (no HTML specials in them) in ``<mark>``."""
    unique = sorted({w for w in words if w}, key=len, reverse=True)
    if not unique:
        return snippet
    pattern = re.compile("|".join(re.escape(html.escape(w, False)) for w in unique))
    # Only in the text between tags and outside existing marks.
    parts = re.split(r"(<mark>.*?</mark>)", snippet)
    return "".join(
        part if part.startswith("<mark>") else pattern.sub(r"<mark>\g<0></mark>", part)
        for part in parts
    )


def window_snippet(body: str, words: Iterable[str], limit: int = SNIPPET_CHARS) -> str:
    """About ``limit`` characters of ``body`` around the first of ``words`` in it, marked."""
    text = _collapse(body).strip()
    found = [(at, w) for w in words if w and (at := text.find(w)) >= 0]
    if not found:
        return ""
    at, word = min(found)
    start = max(0, at - (limit - len(word)) // 3)
    end = min(len(text), start + limit)
    start = max(0, min(start, end - limit))
    piece = html.escape(text[start:end], quote=False)
    marked = mark_words(piece, words)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")
