"""Adapter for ``shared/tools/score_extraction.py``: ``--extractor benchmarks/score_adapter.py:extract``.

Every corpus page is an article: a page the crawler would not turn into an item (a listing,
an error page) scores as a miss, with no body, author, title or date.
"""

from __future__ import annotations

from typing import Any

from crawler.parsers import page_for


def extract(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    page = page_for(url or "", html)
    if not page.page_kind.is_item:
        return {"body": "", "author": None, "title": None, "date": None}
    record = page.extract()
    return {
        "body": record.body,
        "author": "; ".join(record.authors) or None,
        "title": record.title,
        "date": record.published,
    }


extract.accepts_bytes = True  # type: ignore[attr-defined]
extract.fields = ("body", "author", "title", "date")  # type: ignore[attr-defined]
