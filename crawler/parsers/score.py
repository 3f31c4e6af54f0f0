"""Adapter for ``shared/tools/score_extraction.py``: ``--extractor crawler.parsers.score:extract``."""

from __future__ import annotations

from typing import Any

from . import NotAPost, page_for

NOT_A_POST: list[str] = []  # URLs wrongly rejected: every corpus page is an article


def extract(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    page = page_for(url or "", html)
    try:
        record = page.to_item()
    except NotAPost as exc:
        NOT_A_POST.append(f"{url}: {exc}")
        record = page.extract()
    return {
        "body": record.body,
        "author": "; ".join(record.authors) or None,
        "title": record.title,
        "date": record.published,
    }


extract.accepts_bytes = True  # type: ignore[attr-defined]
extract.fields = ("body", "author", "title", "date")  # type: ignore[attr-defined]
