"""The templates and the filters they use. Everything is escaped unless a filter here
builds the markup itself from escaped parts."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from archive.web.posts import post_id
from archive.web.stats import human_size

TEMPLATES = Path(__file__).parent / "templates"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
    )
    env.filters.update(
        stars=stars,
        snippet=snippet,
        day=day,
        when=when,
        post_id=post_id,
        size=human_size,
        paragraphs=paragraphs,
        pretty_json=pretty_json,
        web_url=web_url,
    )
    return env


def stars(rating: Any) -> Markup:
    """A rating as five stars, with its value as text for screen readers."""
    if not isinstance(rating, dict) or rating.get("value") is None:
        return Markup("")
    try:
        filled = round(float(rating.get("normalized", 0)) * 5)
        value, best = float(rating["value"]), float(rating.get("best", 5))
    except (TypeError, ValueError):
        return Markup("")
    label = f"Rated {value:g} out of {best:g}"
    shown = "★" * filled + "☆" * (5 - filled)
    return Markup('<span class="stars" role="img" aria-label="{}">{}</span>').format(label, shown)


def snippet(text: str) -> Markup:
    """A search snippet: only its ``<mark>`` tags kept, everything else re-escaped."""
    pieces = _MARK.split(text or "")
    out = [
        Markup("<mark>{}</mark>").format(html.unescape(p)) if n % 2 else escape(html.unescape(p))
        for n, p in enumerate(pieces)
    ]
    return Markup("").join(out)


def day(value: str | None) -> str:
    """The date part of an ISO 8601 date or datetime."""
    return (value or "")[:10]


def when(value: str | None) -> str:
    """An ISO 8601 timestamp for people: ``2026-11-27 03:22:31 UTC`` (as is if unparsable)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL, the only kind worth a link; else None."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return url
