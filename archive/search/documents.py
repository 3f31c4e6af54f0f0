"""Turning a :class:`~archive.records.PostRecord` into a tantivy document, and back.

Dates: ``published`` is indexed as the post's own wall-clock time (its UTC offset is
dropped); see :mod:`archive.search.filters` for how date bounds compare with it.

Versions: each (URL, version) pair is one document, keyed by :func:`doc_key`. Every
version but the latest of its URL carries ``superseded=1`` (see :mod:`archive.search.index`).

CJK text (Chinese, Japanese, Korean) has no spaces between words, so the word tokenizer
cannot find words in it. Posts index it twice instead:

- ``title`` and ``body`` hold the text with every CJK character replaced by spaces of
  the same UTF-8 length (:func:`mask_cjk`), so Latin words glued to CJK text
  (``Rustの所有権``) are words of their own, and byte offsets, which snippets use, stay
  those of the original text; the original goes to the stored ``extra`` JSON;
- ``title_cjk`` and ``body_cjk`` hold the overlapping character bigrams of each CJK run
  (``所有権`` → ``所有 有権``) with positions, so a query word of two or more CJK
  characters is a phrase of its bigrams (:func:`cjk_bigrams`), the approach of Lucene's
  CJKBigramFilter. A run of one character is indexed as itself.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any

import tantivy

from archive.records import PostRecord, Rating, WarcRef
from archive.search.schema import build_schema

__all__ = [
    "author_key",
    "cjk_bigrams",
    "cjk_runs",
    "doc_key",
    "from_document",
    "has_cjk",
    "language_key",
    "mask_cjk",
    "parse_published",
    "record_order",
    "searchable",
    "stored_text",
    "to_document",
    "wall_clock",
]

# Hangul Jamo, CJK marks (々〆〇), kana (without the "・" dot), Hangul compatibility
# Jamo, CJK ideographs (extension A, unified, compatibility, extensions B+), Hangul
# syllables and half-width katakana.
_CJK = (
    "\u1100-\u11ff\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u3130-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_EXTRA_FIELDS = ("updated", "platform", "canonical_url", "language", "word_count", "content_hash")


@lru_cache(maxsize=1 << 16)  # authors and tags repeat: a rebuild asks for each again and again
def author_key(name: str) -> str:
    """Case- and accent-insensitive form of an author name: ``"José  Núñez"`` → ``"jose nunez"``."""
    if name.isascii():
        return " ".join(name.lower().split())
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def language_key(language: str) -> str:
    """``"fr_FR "`` → ``"fr-fr"``: the form language tags are indexed and filtered in."""
    return language.strip().lower().replace("_", "-")


def doc_key(url: str, version: int | None) -> str:
    """The identity of one version of a post in the index."""
    return f"{version or 0} {url}"


_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")


def record_order(version: int | None, fetched_at: str | None) -> tuple[int, str]:
    """Which version of a URL is the latest: the highest version, then the newest fetch."""
    return (version or 0, fetched_at or "")


def searchable(text: str) -> str:
    """``text`` without the invisible characters a reader never sees: soft hyphens (German
    typesetting puts them in every long word), zero-width spaces, word joiners, BOMs.

    The tokenizer would split words at them: "Mag\u00adda\u00adle\u00adner" would be four
    words and a search for "Magdalener" would miss the post.
    """
    return _INVISIBLE.sub("", text) if not text.isascii() else text


def has_cjk(text: str) -> bool:
    return not text.isascii() and _CJK_RUN.search(text) is not None


def mask_cjk(text: str) -> str:
    """``text`` with each CJK character replaced by spaces of the same UTF-8 length."""
    return _CJK_RUN.sub(lambda m: " " * len(m.group().encode("utf-8")), text)


def cjk_runs(text: str, *, normalize: bool = True) -> list[str]:
    """The runs of CJK characters in ``text``, NFKC-normalized (half-width kana widened)."""
    runs: list[str] = _CJK_RUN.findall(text)
    return [unicodedata.normalize("NFKC", run) for run in runs] if normalize else runs


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping bigrams of one CJK run; a one-character run is itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def wall_clock(value: datetime) -> datetime:
    """The datetime's wall-clock time, labelled UTC (tantivy stores UTC instants)."""
    return value.replace(tzinfo=UTC)


@lru_cache(maxsize=1 << 12)  # posts share their dates
def parse_published(text: str | None) -> datetime | None:
    if not text:
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        return wall_clock(datetime.fromisoformat(raw))
    except ValueError:
        return None


def to_document(record: PostRecord, *, latest: bool = True) -> tantivy.Document:
    # One dict and one call into tantivy: a call per value cost a rebuild more than all
    # of the rest of the document's making.
    fields: dict[str, Any] = {
        "key": doc_key(record.url, record.version),
        "url": record.url,
        "kind": record.kind or "post",
    }
    if record.site:
        fields["site"] = record.site
    if record.authors:
        fields["authors"] = record.authors
        fields["author_key"] = [key for a in record.authors if (key := author_key(a))]
    if record.tags:
        fields["tags"] = record.tags
        fields["tag_key"] = [author_key(tag) for tag in record.tags]
    if record.language:
        fields["lang"] = _languages(record.language)
    if record.published:
        _add_published(fields, record.published)
    if record.rating is not None:
        fields["rating_norm"] = record.rating.normalized
        fields["rating"] = _json(record.rating.to_dict())
    if record.warc is not None:
        fields["warc"] = _json(record.warc.to_dict())
    if record.fetched_at:
        fields["fetched_at"] = record.fetched_at
    if record.version is not None:
        fields["version"] = record.version
    if not latest:
        fields["superseded"] = "1"
    extra = {f: v for f in _EXTRA_FIELDS if (v := getattr(record, f)) is not None}
    extra.update(_add_texts(fields, record))
    if extra:
        fields["extra"] = _json(extra).encode("utf-8")
    return tantivy.Document.from_dict(fields, _schema())


@cache
def _schema() -> tantivy.Schema:
    return build_schema()


_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)


def _add_texts(fields: dict[str, Any], record: PostRecord) -> dict[str, str]:
    """Add the title and the body (searchable, masked plus bigrams if CJK); return the
    originals of those that changed."""
    originals: dict[str, str] = {}
    for field, text in (("title", record.title or ""), ("body", record.body)):
        if not text:
            continue
        indexed = searchable(text)
        if has_cjk(indexed):
            bigrams = [b for run in cjk_runs(indexed) for b in cjk_bigrams(run)]
            fields[f"{field}_cjk"] = " ".join(bigrams)
            indexed = mask_cjk(indexed)
        if indexed != text:
            originals[field] = text
        fields[field] = indexed
    return originals


def _languages(language: str) -> list[str]:
    key = language_key(language)
    primary = key.split("-", 1)[0]
    return [key] if primary == key else [key, primary]


def _add_published(fields: dict[str, Any], text: str) -> None:
    fields["published_text"] = text
    published = parse_published(text)
    if published is not None:
        fields["published"] = published
        fields["published_ts"] = int(published.timestamp())


def _extra(doc: tantivy.Document) -> dict[str, Any]:
    raw = doc.get_first("extra")
    return json.loads(raw) if raw else {}


def stored_text(doc: tantivy.Document) -> tuple[str | None, str]:
    """The original title and body of a stored document (unmasked)."""
    extra = _extra(doc)
    title = extra.get("title", doc.get_first("title"))
    body = extra.get("body", doc.get_first("body"))
    return (None if title is None else str(title)), str(body or "")


def from_document(doc: tantivy.Document) -> PostRecord:
    """The record a stored document was made from (:func:`to_document` reversed)."""
    extra = _extra(doc)
    rating, warc = doc.get_first("rating"), doc.get_first("warc")
    title, body = stored_text(doc)
    others: dict[str, Any] = {f: extra.get(f) for f in _EXTRA_FIELDS}
    return PostRecord(
        url=str(doc.get_first("url")),
        site=doc.get_first("site"),
        kind=doc.get_first("kind") or "post",
        title=title,
        authors=[str(a) for a in doc.get_all("authors")],
        published=doc.get_first("published_text"),
        body=body or "",
        rating=Rating.from_dict(json.loads(rating)) if rating else None,
        tags=[str(t) for t in doc.get_all("tags")],
        version=doc.get_first("version"),
        fetched_at=doc.get_first("fetched_at"),
        warc=WarcRef.from_dict(json.loads(warc)) if warc else None,
        **others,
    )
