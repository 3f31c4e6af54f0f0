"""Search parameters from a query string, shared by the search page and ``/api/search``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from archive.search.filters import KINDS

PAGE_SIZE = 10
MAX_OFFSET = 10_000
"""Deeper pages are refused: nobody reads them, and each costs more than the last."""
SORTS = ("relevance", "date")
KIND_CHOICES = (("post", "Posts"), ("page", "Pages"), ("all", "Posts and pages"))
RATING_CHOICES = (
    ("", "Any rating"),
    *(
        (f"{n}/5", f"{'★' * n}{'☆' * (5 - n)} {n} or more" if n < 5 else "★★★★★ 5 only")
        for n in (5, 4, 3, 2, 1)
    ),
)


class FormError(ValueError):
    """A parameter that is not valid (shown to the user, or a 400 from the API)."""


@dataclass(frozen=True, kw_only=True)
class SearchForm:
    q: str = ""
    site: str = ""
    author: str = ""
    min_rating: str = ""
    max_rating: str = ""
    since: str = ""
    until: str = ""
    tags: list[str] = field(default_factory=list)
    lang: str = ""
    kind: str = "post"
    sort: str = "relevance"
    all_versions: bool = False

    @classmethod
    def parse(cls, params: QueryParams) -> SearchForm:
        def text(name: str) -> str:
            return " ".join((params.get(name) or "").split())[:500]

        sort = text("sort") or "relevance"
        if sort not in SORTS:
            raise FormError(f"sort must be one of {', '.join(SORTS)}")
        kind = text("kind") or "post"
        if kind not in KINDS:
            raise FormError(f"kind must be one of {', '.join(KINDS)}")
        return cls(
            q=text("q"),
            site=text("site"),
            author=text("author"),
            min_rating=text("min_rating"),
            max_rating=text("max_rating"),
            since=text("since"),
            until=text("until"),
            tags=[t for t in (" ".join(v.split()) for v in params.getlist("tag")) if t][:20],
            lang=text("lang"),
            kind=kind,
            sort=sort,
            all_versions=text("all_versions").lower() in ("1", "true", "yes", "on"),
        )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`SearchIndex.search`: only the filters that are set."""
        found: dict[str, Any] = {
            name: value
            for name in ("site", "author", "min_rating", "max_rating", "since", "until", "lang")
            if (value := getattr(self, name))
        }
        if self.tags:
            found["tag"] = list(self.tags)
        if self.kind != "post":
            found["kind"] = self.kind
        if self.sort != "relevance":
            found["sort"] = self.sort
        if self.all_versions:
            found["all_versions"] = True
        return found

    def params(self) -> list[tuple[str, str]]:
        """The form as query parameters (those that are set)."""
        pairs = [(k, v) for k, v in self.filters().items() if isinstance(v, str)]
        pairs += [("tag", t) for t in self.tags]
        if self.all_versions:
            pairs.append(("all_versions", "1"))
        return ([("q", self.q)] if self.q else []) + pairs

    def url(self, page: int) -> str:
        pairs = self.params() + ([("page", str(page))] if page > 1 else [])
        return "/?" + urlencode(pairs) if pairs else "/"

    @property
    def heading(self) -> str:
        """``Results`` for a search, else what the listing shows (``Latest posts``)."""
        if self.q or any(name != "kind" for name in self.filters()):
            return "Results"
        return "Latest " + dict(KIND_CHOICES)[self.kind].lower()


def int_param(params: QueryParams, name: str, default: int, *, low: int, high: int) -> int:
    raw = params.get(name) or ""
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FormError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise FormError(f"{name} must be between {low} and {high}")
    return value
