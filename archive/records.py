"""The archive's data model: one archived post, its rating and its WARC pointer.

These classes are the JSONL schema (see the README, "Item schema"). The crawler's
parsers produce :class:`PostRecord` objects, and the JSONL writer, the index and
``blogarchive extract`` all speak it, so the schema lives here, free of Scrapy.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Self


@dataclass(frozen=True, kw_only=True)
class Rating:
    """A rating as published, with its scale and a value normalized to 0..1."""

    value: float
    """The rating as published, after numeric parsing (``"4,5"`` → 4.5)."""
    best: float
    """The top of the scale (schema.org default 5)."""
    worst: float
    """The bottom of the scale (schema.org default 1; 0 for visual widgets)."""
    count: int | None = None
    """Number of votes or reviews, for aggregate ratings; None otherwise."""
    kind: str | None = None
    """``"review"`` (the author's score) or ``"aggregate"`` (visitor votes)."""
    source: str | None = None
    """Where the value was read: ``jsonld``, ``microdata``, ``hreview``, ``widget``..."""

    @property
    def normalized(self) -> float:
        """``(value - worst) / (best - worst)``, clamped to [0, 1]."""
        span = self.best - self.worst
        if span <= 0:
            return 0.0
        return round(min(1.0, max(0.0, (self.value - self.worst) / span)), 6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "best": self.best,
            "worst": self.worst,
            "count": self.count,
            "normalized": self.normalized,
            "kind": self.kind,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            value=float(data["value"]),
            best=float(data["best"]),
            worst=float(data["worst"]),
            count=None if data.get("count") is None else int(data["count"]),
            kind=data.get("kind"),
            source=data.get("source"),
        )


@dataclass(frozen=True, kw_only=True)
class WarcRef:
    """Where a post's response record lives: seek to ``offset`` in ``filename``."""

    filename: str
    """The WARC file's name (no directory), relative to ``DATA/warc/``."""
    offset: int
    """Byte offset of the (gzip member of the) response record."""
    record_id: str | None
    """The record's ``WARC-Record-ID``, e.g. ``<urn:uuid:...>``; None for a record of an
    ARC file (``extract`` reads them), a format without record ids."""
    length: int | None = None
    """Length in bytes of the record as stored (compressed), when known."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "offset": self.offset,
            "record_id": self.record_id,
            "length": self.length,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            filename=str(data["filename"]),
            offset=int(data["offset"]),
            record_id=None if data.get("record_id") is None else str(data["record_id"]),
            length=None if data.get("length") is None else int(data["length"]),
        )


@dataclass(frozen=True, kw_only=True)
class ImageRef:
    """An image a post shows: the URL it was archived under, its alt text and, once
    archived, where its response record (its bytes) lives."""

    url: str
    alt: str = ""
    warc: WarcRef | None = None
    """The image's response record; None (no ``warc`` key) when it was not archived."""

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"url": self.url, "alt": self.alt}
        if self.warc is not None:
            found["warc"] = self.warc.to_dict()
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        warc = data.get("warc")
        return cls(
            url=str(data["url"]),
            alt=str(data.get("alt") or ""),
            warc=WarcRef.from_dict(warc) if isinstance(warc, dict) else None,
        )


@dataclass(frozen=True, kw_only=True)
class PostRecord:
    """One archived blog post: one line of the JSONL archive.

    ``url`` is the only required field. Parsers fill the content fields; the crawler
    adds ``site``, ``fetched_at`` and ``warc``.
    """

    url: str
    """URL of the post page that was fetched (after redirects)."""
    site: str | None = None
    """Name of the site in ``config/sites.toml`` (or the host, for ``--url`` crawls)."""
    kind: str = "post"
    """``post`` (an entry of the blog), ``page`` (standalone content: an about page, a
    tutorial kept as a page); ``blogarchive extract --all`` also prints ``listing`` and
    ``error`` pages, which never become items."""
    title: str | None = None
    """Post title, whitespace-normalized."""
    authors: list[str] = field(default_factory=list)
    """Display names of the post's authors, in document order, de-duplicated."""
    published: str | None = None
    """Publication date, ISO 8601 (``YYYY-MM-DDThh:mm:ss±hh:mm`` or a date): markup, else the
    date shown with the post, its URL's day or its feed entry; never a relative date."""
    updated: str | None = None
    """Last modification date, ISO 8601, when the page states one."""
    body: str = ""
    """Plain-text body: paragraphs separated by one blank line, boilerplate removed."""
    rating: Rating | None = None
    """The post's rating, or None when the page publishes none."""
    tags: list[str] = field(default_factory=list)
    """Labels, tags and categories, in document order, de-duplicated."""
    images: list[ImageRef] = field(default_factory=list)
    """The images the post shows (its body and header image), in document order, each
    once; filled by crawls that fetch page requisites (``ASSETS_ENABLED``), else empty.
    Not part of ``content_hash``: listing images makes no new version of a post."""
    platform: str | None = None
    """Platform whose page object parsed the page: blogger, wordpress, generic..."""
    canonical_url: str | None = None
    """The page's ``<link rel=canonical>``, when it has one."""
    language: str | None = None
    """Language of the page (``<html lang>``), when stated."""
    word_count: int | None = None
    """Number of words in ``body``."""
    version: int | None = None
    """1 for the first archived version of this URL, 2 for the next changed one..."""
    content_hash: str | None = None
    """``sha1:`` base32 digest of the extracted content; a new version changes it."""
    fetched_at: str | None = None
    """When the response was received, ISO 8601 UTC."""
    warc: WarcRef | None = None
    """The WARC response record this post was parsed from."""

    def compute_content_hash(self) -> str:
        """Digest of what a reader sees: title, authors, dates, body, rating and tags."""
        content = {
            "title": self.title,
            "authors": self.authors,
            "published": self.published,
            "updated": self.updated,
            "body": self.body,
            "rating": None if self.rating is None else self.rating.to_dict(),
            "tags": self.tags,
        }
        raw = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return "sha1:" + base64.b32encode(hashlib.sha1(raw).digest()).decode("ascii")

    @property
    def author(self) -> str | None:
        """The first author, or None."""
        return self.authors[0] if self.authors else None

    def replace(self, **changes: Any) -> PostRecord:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL form, with fields in a stable order."""
        return {
            "url": self.url,
            "site": self.site,
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "authors": list(self.authors),
            "published": self.published,
            "updated": self.updated,
            "body": self.body,
            "rating": None if self.rating is None else self.rating.to_dict(),
            "tags": list(self.tags),
            "images": [image.to_dict() for image in self.images],
            "platform": self.platform,
            "canonical_url": self.canonical_url,
            "language": self.language,
            "word_count": self.word_count,
            "version": self.version,
            "content_hash": self.content_hash,
            "fetched_at": self.fetched_at,
            "warc": None if self.warc is None else self.warc.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a record from its JSONL form; unknown keys are ignored."""
        if not isinstance(data.get("url"), str):
            raise TypeError("a post record needs a string 'url'")
        rating = data.get("rating")
        warc = data.get("warc")
        return cls(
            url=data["url"],
            site=data.get("site"),
            kind=data.get("kind") or "post",
            title=data.get("title"),
            authors=list(data.get("authors") or []),
            published=data.get("published"),
            updated=data.get("updated"),
            body=data.get("body") or "",
            rating=Rating.from_dict(rating) if rating else None,
            tags=list(data.get("tags") or []),
            images=[ImageRef.from_dict(i) for i in data.get("images") or [] if isinstance(i, dict)],
            platform=data.get("platform"),
            canonical_url=data.get("canonical_url"),
            language=data.get("language"),
            word_count=data.get("word_count"),
            version=data.get("version"),
            content_hash=data.get("content_hash"),
            fetched_at=data.get("fetched_at"),
            warc=WarcRef.from_dict(warc) if warc else None,
        )
