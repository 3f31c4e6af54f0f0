"""The embedded full-text search index: tantivy, one directory, many readers, one writer.

:class:`SearchIndex` stores :class:`~archive.records.PostRecord` objects in a tantivy index
and searches them with BM25 (title boosted 3x, authors 2x, tags 1.5x over the body).

Writers hold tantivy's directory lock for one session (:meth:`SearchIndex.add`,
:meth:`SearchIndex.rebuild`): a second writer, in this process or another, waits with
backoff until ``lock_timeout`` and then raises :class:`IndexLockedError`. Readers never
take the lock, so searching works while a crawl is writing; every search reloads the
reader, so it sees the last commit.

Query language (a search box, not tantivy's raw syntax)::

    rust async          both words (AND is the default)
    "borrow checker"    the words, in this order
    rust OR go          either word
    rust -unsafe        NOT: also ``rust NOT unsafe``
    (rust OR go) async  parentheses group
    async*              prefix (at least 2 characters)
    "tokio run"*        phrase whose last word is a prefix
    title:rust          one field: title, author/authors, body, tag/tags, site (exact)

Only upper-case ``AND``, ``OR`` and ``NOT`` are operators; lower-case they are words.
Words are folded to ASCII, lower-cased and stemmed (English), so ``cafe`` finds
``Café`` and ``programs`` finds ``programming``. Anything else is part of a word, so
``node.js`` searches for the phrase ``node js`` and ``https://a.example/x`` works.

Dates: ``published`` is indexed as the post's own wall-clock time (its UTC offset is
dropped), so ``since="2019-03-01"`` means "dated March 1st or later where it was
published". Datetime bounds are compared the same way.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import tantivy

from archive.records import PostRecord

__all__ = [
    "SCHEMA_VERSION",
    "IndexLockedError",
    "QuerySyntaxError",
    "SchemaVersionError",
    "SearchHit",
    "SearchIndex",
    "parse_rating_bound",
]

SCHEMA_VERSION = 1
"""Bump when the schema or the analyzers change; old indexes then need ``reindex``."""

VERSION_FILE = "blogarchive-index.json"
"""File in the index directory that records the schema version."""

_TEXT_ANALYZER = "blogarchive_text"  # ASCII-folded, lower-cased, English-stemmed
_NAME_ANALYZER = "blogarchive_name"  # ASCII-folded, lower-cased, not stemmed

# Fields searched by a bare word, with their BM25 boosts.
_DEFAULT_FIELDS: dict[str, float] = {"title": 3.0, "authors": 2.0, "body": 1.0, "tags": 1.5}
# Field names a user may write before a colon, mapped to schema fields.
_FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "body": "body",
    "tag": "tags",
    "tags": "tags",
    "site": "site",
}
_SNIPPET_CHARS = 200
_PREFIX_EXPANSIONS = 50  # prefix terms highlighted in snippets
_MIN_PREFIX = 2
_TIE_FETCH_CAP = 2000  # extra hits fetched to break score ties by date

_ADD_HEAP = 128_000_000
_REBUILD_HEAP = 256_000_000


class IndexLockedError(RuntimeError):
    """Another writer (a crawl or a reindex) kept the index lock past the timeout."""


class QuerySyntaxError(ValueError):
    """The search query cannot be parsed; the message says what and where."""

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        if position is not None:
            message = f"{message} (at position {position + 1})"
        super().__init__(message)


class SchemaVersionError(RuntimeError):
    """The index on disk was built with another schema version: run ``blogarchive reindex``."""


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
    """BM25 score (0.0 when listing by date without a query)."""
    warc: dict[str, Any] | None
    """:meth:`WarcRef.to_dict` of the post's WARC record, or None."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "rating": self.rating,
            "site": self.site,
            "snippet": self.snippet,
            "score": self.score,
            "warc": self.warc,
        }


# --------------------------------------------------------------------------- helpers


def parse_rating_bound(text: str | float) -> float:
    """Parse a rating bound on the normalized 0..1 scale.

    Accepts a number in [0, 1] (``"0.75"``) or a fraction ``"a/b"`` meaning "a on a
    scale up to b". Ratings normalize with the scale's bottom (schema.org's 1, or 0 for
    star widgets), so a 4/5 is 0.75 or 0.8; the bound takes the lower, (a-1)/(b-1), so
    that ``"4/5"`` keeps every post rated 4 out of 5 whatever its scale's bottom.
    """
    if isinstance(text, bool):
        raise TypeError(f"invalid rating bound {text!r}")
    if isinstance(text, int | float):
        value = float(text)
        shown = repr(text)
    else:
        shown = repr(text)
        raw = text.strip()
        try:
            if "/" in raw:
                num_text, _, den_text = raw.partition("/")
                num, den = float(num_text), float(den_text)
                if den <= 0:
                    raise ValueError(f"invalid rating bound {shown}: the denominator must be > 0")
                value = (num - 1) / (den - 1) if den > 1 and num >= 1 else num / den
            else:
                value = float(raw)
        except ValueError as exc:
            if "denominator" in str(exc):
                raise
            raise ValueError(
                f"invalid rating bound {shown}: use a number between 0 and 1 "
                "(e.g. 0.75) or a fraction like 4/5"
            ) from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(
            f"invalid rating bound {shown}: ratings are normalized to 0..1; "
            "use a number between 0 and 1 (e.g. 0.75) or a fraction like 4/5"
        )
    return value


def _author_key(name: str) -> str:
    """Case- and accent-insensitive form of an author name: ``"José  Núñez"`` → ``"jose nunez"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _wall_clock(value: datetime) -> datetime:
    """The datetime's wall-clock time, labelled UTC (tantivy stores UTC instants)."""
    return value.replace(tzinfo=UTC)


def _parse_published(text: str | None) -> datetime | None:
    if not text:
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        return _wall_clock(datetime.fromisoformat(raw))
    except ValueError:
        return None


def _date_bound(value: str | date | None, *, upper: bool) -> tuple[datetime, bool] | None:
    """A filter bound as (datetime, inclusive); a date covers its whole day."""
    if value is None:
        return None
    if isinstance(value, str):
        raw = value.strip()
        try:
            parsed: date = (
                date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw)
            )
        except ValueError:
            which = "until" if upper else "since"
            raise ValueError(
                f"invalid {which} date {value!r}: use ISO 8601, e.g. 2019-03-01 "
                "or 2019-03-01T12:00:00"
            ) from None
        value = parsed
    if isinstance(value, datetime):
        return _wall_clock(value), True
    start = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if upper:
        return start + timedelta(days=1), False  # the whole day, exclusive of the next
    return start, True


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _leading_text(body: str, limit: int = _SNIPPET_CHARS) -> str:
    """The start of the body, about ``limit`` characters, cut at a word, HTML-escaped."""
    text = _collapse(body).strip()
    if len(text) <= limit:
        return html.escape(text, quote=False)
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return html.escape(cut.rstrip(), quote=False) + "…"


def _phrase(words: list[str]) -> list[str | tuple[int, str]]:
    return list(words)


# --------------------------------------------------------------------------- schema


def _build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("url", stored=True, tokenizer_name="raw")
    sb.add_text_field("site", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name=_TEXT_ANALYZER)
    sb.add_text_field("authors", stored=True, tokenizer_name=_NAME_ANALYZER)
    sb.add_text_field("author_key", stored=False, tokenizer_name="raw")
    sb.add_text_field("body", stored=True, tokenizer_name=_TEXT_ANALYZER)
    sb.add_text_field("tags", stored=True, tokenizer_name=_TEXT_ANALYZER)
    sb.add_date_field("published", stored=False, indexed=True, fast=True)
    # The same instant as seconds, for tie-breaking (the binding reads only numeric fast fields).
    sb.add_integer_field("published_ts", stored=False, indexed=False, fast=True)
    sb.add_text_field("published_text", stored=True, tokenizer_name="raw")
    sb.add_float_field("rating_norm", stored=False, indexed=True, fast=True)
    sb.add_text_field("rating", stored=True, tokenizer_name="raw")
    sb.add_text_field("warc", stored=True, tokenizer_name="raw")
    sb.add_text_field("fetched_at", stored=True, tokenizer_name="raw")
    return sb.build()


def _text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _name_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _to_document(record: PostRecord) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("url", record.url)
    if record.site:
        doc.add_text("site", record.site)
    if record.title:
        doc.add_text("title", record.title)
    for author in record.authors:
        doc.add_text("authors", author)
        key = _author_key(author)
        if key:
            doc.add_text("author_key", key)
    if record.body:
        doc.add_text("body", record.body)
    for tag in record.tags:
        doc.add_text("tags", tag)
    if record.published:
        doc.add_text("published_text", record.published)
        published = _parse_published(record.published)
        if published is not None:
            doc.add_date("published", published)
            doc.add_integer("published_ts", int(published.timestamp()))
    if record.rating is not None:
        doc.add_float("rating_norm", record.rating.normalized)
        doc.add_text("rating", json.dumps(record.rating.to_dict(), ensure_ascii=False))
    if record.warc is not None:
        doc.add_text("warc", json.dumps(record.warc.to_dict(), ensure_ascii=False))
    if record.fetched_at:
        doc.add_text("fetched_at", record.fetched_at)
    return doc


# --------------------------------------------------------------------------- query parsing


@dataclass
class _Tok:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT"
    pos: int
    text: str = ""
    field: str | None = None
    prefix: bool = False


@dataclass
class _Leaf:
    text: str
    field: str | None
    phrase: bool
    prefix: bool
    pos: int


@dataclass
class _Not:
    child: _Node


@dataclass
class _And:
    children: list[_Node]


@dataclass
class _Or:
    children: list[_Node]


_Node = _Leaf | _Not | _And | _Or

_OPERATORS = {"AND", "OR", "NOT"}
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)


def _lex(query: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(_Tok(ch, i))
            i += 1
            continue
        # "-" or "+" glued to a term, a phrase or "(": negation / (redundant) requirement.
        if ch in "-+" and i + 1 < n and not query[i + 1].isspace():
            if ch == "-":
                tokens.append(_Tok("NOT", i))
            i += 1
            continue
        field: str | None = None
        start = i
        if ch != '"':
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            word = query[i:j]
            match = _FIELD_RE.fullmatch(word)
            if match and match.group(1).lower() in _FIELD_ALIASES:
                field = _FIELD_ALIASES[match.group(1).lower()]
                rest = match.group(2)
                if not rest:
                    if j < n and query[j] == '"':
                        i = j  # field:"a phrase"
                    else:
                        raise QuerySyntaxError(
                            f"expected a word or a quoted phrase after '{word}'",
                            query=query,
                            position=start,
                        )
                else:
                    word = rest
            if field is None or query[i] != '"':
                if word in _OPERATORS and field is None:
                    tokens.append(_Tok(word, start))
                else:
                    prefix = len(word) > 1 and word.endswith("*")
                    tokens.append(
                        _Tok("word", start, word.rstrip("*") if prefix else word, field, prefix)
                    )
                i = j
                continue
        # A quoted phrase starting at i.
        end = query.find('"', i + 1)
        if end < 0:
            raise QuerySyntaxError(
                'unterminated quoted phrase: add the closing "', query=query, position=i
            )
        prefix = end + 1 < n and query[end + 1] == "*"
        tokens.append(_Tok("phrase", start, query[i + 1 : end], field, prefix))
        i = end + 2 if prefix else end + 1
    return tokens


class _Parser:
    def __init__(self, query: str, tokens: list[_Tok]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0

    def error(self, message: str, pos: int | None) -> QuerySyntaxError:
        return QuerySyntaxError(message, query=self.query, position=pos)

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> _Node:
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:  # only ")" can stop parse_or early
            raise self.error("unmatched ')'", tok.pos)
        return node

    def parse_or(self) -> _Node:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise self.error("OR needs a term on both sides", tok.pos)
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else _Or(children)

    def parse_and(self) -> _Node:
        children = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in (")", "OR", "AND"):
                    raise self.error("AND needs a term on both sides", tok.pos)
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else _And(children)

    def parse_unary(self) -> _Node:
        tok = self.peek()
        if tok is None:
            raise self.error("the query ends too early", len(self.query))
        if tok.kind == "NOT":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise self.error("NOT (or -) must be followed by a term", tok.pos)
            return _Not(self.parse_unary())
        if tok.kind == "(":
            self.i += 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == ")":
                raise self.error("empty parentheses", tok.pos)
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != ")":
                raise self.error("missing ')' for this '('", tok.pos)
            self.i += 1
            return node
        if tok.kind in ("word", "phrase"):
            self.i += 1
            return _Leaf(tok.text, tok.field, tok.kind == "phrase", tok.prefix, tok.pos)
        if tok.kind == ")":
            raise self.error("unmatched ')'", tok.pos)
        raise self.error(f"{tok.kind} needs a term before it", tok.pos)


def _parse_query_tree(query: str) -> _Node:
    """Parse ``query`` into the internal tree (raises :class:`QuerySyntaxError`)."""
    return _Parser(query, _lex(query)).parse()


# --------------------------------------------------------------------------- the index


def _occur_list(items: Iterable[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    return tantivy.Query.boolean_query(list(items))


class _Compiler:
    """Turns the parsed tree into a tantivy query plus a body-only query for highlights."""

    def __init__(self, index: SearchIndex, searcher: tantivy.Searcher, query: str) -> None:
        self.index = index
        self.schema = index._schema
        self.searcher = searcher
        self.query = query
        self.highlight: list[tantivy.Query] = []

    def compile(self, node: _Node, *, positive: bool = True) -> tantivy.Query | None:
        if isinstance(node, _Leaf):
            return self.leaf(node, positive=positive)
        if isinstance(node, _Not):
            inner = self.compile(node.child, positive=not positive)
            if inner is None:
                return None
            return _occur_list(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, _Or):
            parts = [q for c in node.children if (q := self.compile(c, positive=positive))]
            if not parts:
                return None
            if len(parts) == 1:
                return parts[0]
            return _occur_list((tantivy.Occur.Should, q) for q in parts)
        musts: list[tantivy.Query] = []
        nots: list[tantivy.Query] = []
        for child in node.children:
            if isinstance(child, _Not):
                q = self.compile(child.child, positive=not positive)
                if q is not None:
                    nots.append(q)
            elif (q := self.compile(child, positive=positive)) is not None:
                musts.append(q)
        if not musts and not nots:
            return None
        if not nots and len(musts) == 1:
            return musts[0]
        if not musts:
            musts.append(tantivy.Query.all_query())
        return _occur_list(
            [(tantivy.Occur.Must, q) for q in musts] + [(tantivy.Occur.MustNot, q) for q in nots]
        )

    def leaf(self, leaf: _Leaf, *, positive: bool) -> tantivy.Query | None:
        fields = {leaf.field: 1.0} if leaf.field else _DEFAULT_FIELDS
        parts: list[tantivy.Query] = []
        for field, boost in fields.items():
            q = self.field_query(leaf, field, positive=positive)
            if q is None:
                continue
            parts.append(q if boost == 1.0 else tantivy.Query.boost_query(q, boost))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return _occur_list((tantivy.Occur.Should, q) for q in parts)

    def field_query(self, leaf: _Leaf, field: str, *, positive: bool) -> tantivy.Query | None:
        schema = self.schema
        if field == "site":
            text = leaf.text.strip()
            if not text:
                return None
            if leaf.prefix:
                return tantivy.Query.fuzzy_term_query(schema, field, text, distance=0, prefix=True)
            return tantivy.Query.term_query(schema, field, text)
        analyzer = self.index._name if field == "authors" else self.index._text
        words = analyzer.analyze(leaf.text)
        if not words:
            return None
        if leaf.prefix:
            return self.prefix_query(
                leaf, field, words, stemmed=analyzer is self.index._text, positive=positive
            )
        if len(words) == 1:
            query = tantivy.Query.term_query(schema, field, words[0])
        else:
            query = tantivy.Query.phrase_query(schema, field, _phrase(words))
        if positive and field == "body":
            self.highlight.append(query)
        return query

    def prefix_query(
        self, leaf: _Leaf, field: str, words: list[str], *, stemmed: bool, positive: bool
    ) -> tantivy.Query:
        """``word*`` (or ``"a phrase wo"*``): the last word is a prefix.

        The prefix is matched, folded but not stemmed, against the indexed terms. As text
        fields hold stems ("program" for "programming"), the stem of the typed word also
        matches exactly, and so does the word without a doubled final consonant
        ("programm*" → "program", "runn*" → "run").
        """
        schema = self.schema
        folded = self.index._name.analyze(leaf.text)
        prefix = folded[-1] if len(folded) == len(words) else words[-1]
        if len(prefix) < _MIN_PREFIX:
            raise QuerySyntaxError(
                f"the prefix in '{leaf.text}*' is too short: "
                f"use at least {_MIN_PREFIX} letters before '*'",
                query=self.query,
                position=leaf.pos,
            )
        exact: list[str] = []
        if stemmed:
            exact.append(words[-1])
            if len(prefix) >= 4 and prefix[-1] == prefix[-2] and prefix[-1] not in "aeiouy":
                exact.append(prefix[:-1])
        exact = [t for t in dict.fromkeys(exact) if t != prefix]
        head = words[:-1]
        parts: list[tantivy.Query] = []
        if not head:
            parts.append(
                tantivy.Query.fuzzy_term_query(schema, field, prefix, distance=0, prefix=True)
            )
            parts.extend(tantivy.Query.term_query(schema, field, t) for t in exact)
        else:
            parts.append(tantivy.Query.phrase_prefix_query(schema, field, _phrase([*head, prefix])))
            parts.extend(
                tantivy.Query.phrase_query(schema, field, _phrase([*head, t])) for t in exact
            )
        if positive and field == "body":
            expansions = self.searcher.terms_with_prefix("body", prefix, limit=_PREFIX_EXPANSIONS)
            terms = [t for t, _ in expansions] + exact + head
            self.highlight.extend(tantivy.Query.term_query(schema, "body", t) for t in terms)
        if len(parts) == 1:
            return parts[0]
        return _occur_list((tantivy.Occur.Should, q) for q in parts)


class SearchIndex:
    """A tantivy full-text index of posts in one directory."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._schema = _build_schema()
        self._text = _text_analyzer()
        self._name = _name_analyzer()
        self.path.mkdir(parents=True, exist_ok=True)
        version_file = self.path / VERSION_FILE
        if (self.path / "meta.json").exists():
            found = self._read_version(version_file)
            if found != SCHEMA_VERSION:
                raise self._version_error(found)
            try:
                self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
            except ValueError as exc:
                raise SchemaVersionError(
                    f"the search index at {self.path} does not match this version of "
                    f"blogarchive ({exc}); run `blogarchive reindex` to rebuild it"
                ) from None
        else:
            self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
            tmp = version_file.with_name(f"{VERSION_FILE}.{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"format": "blogarchive-search", "schema_version": SCHEMA_VERSION})
                + "\n",
                encoding="utf-8",
            )
            tmp.replace(version_file)
        self._index.register_tokenizer(_TEXT_ANALYZER, self._text)
        self._index.register_tokenizer(_NAME_ANALYZER, self._name)
        self._index.config_reader("manual")

    @staticmethod
    def _read_version(version_file: Path) -> int | None:
        try:
            data = json.loads(version_file.read_text(encoding="utf-8"))
            version = data.get("schema_version")
        except (OSError, ValueError, AttributeError):
            return None
        return version if isinstance(version, int) else None

    def _version_error(self, found: int | None) -> SchemaVersionError:
        built = "an unknown schema version" if found is None else f"schema version {found}"
        return SchemaVersionError(
            f"the search index at {self.path} was built with {built}, but this version of "
            f"blogarchive uses schema version {SCHEMA_VERSION}; "
            "run `blogarchive reindex` to rebuild it"
        )

    @classmethod
    def recreate(cls, path: Path | str, *, lock_timeout: float = 60.0) -> SearchIndex:
        """Delete the index at ``path`` (any schema version) and create an empty one.

        For ``blogarchive reindex`` after a :class:`SchemaVersionError`; follow it with
        :meth:`rebuild`. It waits for the writer lock of the old index first, so it does
        not pull the index from under a running crawl.
        """
        target = Path(path)
        if (target / "meta.json").exists():
            old = tantivy.Index.open(str(target))
            writer = _acquire_writer(old, target, lock_timeout, 15_000_000, 1)
            writer.rollback()
            writer.wait_merging_threads()
            del writer, old
            for child in target.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        return cls(target)

    # ---------------------------------------------------------------- writing

    def _write(
        self, records: Iterable[PostRecord], *, clear: bool, lock_timeout: float, heap: int
    ) -> int:
        """One writer session: lock, (clear,) upsert every record, commit, unlock."""
        count = 0
        writer = _acquire_writer(self._index, self.path, lock_timeout, heap, 0)
        try:
            if clear:
                writer.delete_all_documents()
            for record in records:
                writer.delete_documents_by_term("url", record.url)
                writer.add_document(_to_document(record))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
            del writer  # the last reference: dropping tantivy's writer releases the lock
        self._index.reload()
        return count

    def add(self, records: Iterable[PostRecord], *, lock_timeout: float = 60.0) -> int:
        """Upsert ``records`` by URL in one writer session (one commit); returns the count.

        Waits (with backoff) up to ``lock_timeout`` seconds for another writer to finish,
        then raises :class:`IndexLockedError`. Within a batch the last record for a URL wins.
        """
        return self._write(records, clear=False, lock_timeout=lock_timeout, heap=_ADD_HEAP)

    def rebuild(self, records: Iterable[PostRecord], *, lock_timeout: float = 60.0) -> int:
        """Replace the whole index with ``records`` in one commit; returns the count.

        Searches see the old contents until the commit. Duplicate URLs keep the last record.
        """
        return self._write(records, clear=True, lock_timeout=lock_timeout, heap=_REBUILD_HEAP)

    # ---------------------------------------------------------------- reading

    def _searcher(self) -> tantivy.Searcher:
        # Pick up commits from other processes (or instances): cheap when nothing changed.
        # A concurrent merge may delete a segment between reading meta.json and opening it.
        for attempt in range(3):
            try:
                self._index.reload()
                break
            except ValueError:
                if attempt == 2:
                    raise
                time.sleep(0.05)
        return self._index.searcher()

    def count(self) -> int:
        """Number of posts in the index."""
        return int(self._searcher().num_docs)

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        author: str | None = None,
        min_rating: float | str | None = None,
        max_rating: float | str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Search posts, best BM25 match first (ties: newest first).

        An empty ``query`` lists the posts that pass the filters, newest first (posts
        without a date last). Filters: ``site`` exact; ``author`` one author's full name,
        case- and accent-insensitive; ``min_rating``/``max_rating`` on the normalized 0..1
        scale (a float or text for :func:`parse_rating_bound`), excluding unrated posts;
        ``since``/``until`` ISO dates or datetimes, inclusive, excluding undated posts.
        Raises :class:`QuerySyntaxError` for a bad query and ValueError for a bad filter.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        filters = self._filters(site, author, min_rating, max_rating, since, until)
        text = query.strip()
        tree = _parse_query_tree(text) if text else None
        if limit == 0:
            return []
        searcher = self._searcher()
        if tree is None:
            listing = (
                _occur_list((tantivy.Occur.Must, f) for f in filters)
                if filters
                else tantivy.Query.all_query()
            )
            result = searcher.search(
                listing,
                limit,
                count=False,
                order_by_field="published",
                order=tantivy.Order.Desc,
                offset=offset,
            )
            return [self._hit(searcher, addr, 0.0, None) for _, addr in result.hits]

        compiler = _Compiler(self, searcher, text)
        matched = compiler.compile(tree)
        if matched is None:
            raise QuerySyntaxError(
                f"the query {text!r} has no searchable words "
                "(only punctuation or symbols); search for words or numbers"
            )
        if filters:
            matched = _occur_list(
                [(tantivy.Occur.Must, matched)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
            )
        ranked = self._ranked(searcher, matched, offset + limit)[offset : offset + limit]
        snippets: tantivy.SnippetGenerator | None = None
        if compiler.highlight and ranked:
            highlight = _occur_list((tantivy.Occur.Should, q) for q in compiler.highlight)
            snippets = tantivy.SnippetGenerator.create(searcher, highlight, self._schema, "body")
            snippets.set_max_num_chars(_SNIPPET_CHARS)
        return [self._hit(searcher, addr, score, snippets) for score, addr in ranked]

    def _filters(
        self,
        site: str | None,
        author: str | None,
        min_rating: float | str | None,
        max_rating: float | str | None,
        since: str | date | None,
        until: str | date | None,
    ) -> list[tantivy.Query]:
        schema = self._schema
        filters: list[tantivy.Query] = []
        if site is not None:
            filters.append(tantivy.Query.term_query(schema, "site", site))
        if author is not None:
            key = _author_key(author)
            if not key:
                raise ValueError("the author filter is empty")
            filters.append(tantivy.Query.term_query(schema, "author_key", key))
        if min_rating is not None or max_rating is not None:
            lo = 0.0 if min_rating is None else parse_rating_bound(min_rating)
            hi = 1.0 if max_rating is None else parse_rating_bound(max_rating)
            filters.append(
                tantivy.Query.range_query(schema, "rating_norm", tantivy.FieldType.Float, lo, hi)
            )
        lower = _date_bound(since, upper=False)
        upper = _date_bound(until, upper=True)
        if lower is not None or upper is not None:
            filters.append(
                tantivy.Query.range_query(
                    schema,
                    "published",
                    tantivy.FieldType.Date,
                    None if lower is None else lower[0],
                    None if upper is None else upper[0],
                    include_lower=True if lower is None else lower[1],
                    include_upper=True if upper is None else upper[1],
                )
            )
        return filters

    def _ranked(
        self, searcher: tantivy.Searcher, query: tantivy.Query, wanted: int
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """The top ``wanted`` hits by score, equal scores ordered newest first.

        tantivy orders ties by document address, so fetch past ``wanted`` until the
        score at the cut-off changes (at most ``_TIE_FETCH_CAP`` more), then re-sort.
        Past the cap, a tie at the cut-off is broken by document order.
        """
        fetch = wanted + 1
        while True:
            hits: Sequence[tuple[float, tantivy.DocAddress]] = searcher.search(
                query, fetch, count=False
            ).hits
            if (
                len(hits) < fetch
                or hits[-1][0] < hits[wanted - 1][0]
                or fetch >= wanted + _TIE_FETCH_CAP
            ):
                break
            fetch = min(fetch * 2, wanted + _TIE_FETCH_CAP)
        if not hits:
            return []
        if len(hits) == fetch and hits[0][0] == hits[-1][0]:
            # Over _TIE_FETCH_CAP hits share the top score: a constant-score query (a bare
            # prefix, a pure negation). Order all its matches by date instead.
            top = hits[0][0]
            dated = searcher.search(
                query,
                wanted,
                count=False,
                order_by_field="published_ts",
                order=tantivy.Order.Desc,
            ).hits
            return [(top, addr) for _, addr in dated]
        dates = searcher.fast_field_values("published_ts", [addr for _, addr in hits])
        keyed = [
            (-score, -(stamp if isinstance(stamp, int) else -(2**63)), n)
            for n, ((score, _), stamp) in enumerate(zip(hits, dates, strict=True))
        ]
        keyed.sort()
        return [hits[n] for _, _, n in keyed[:wanted]]

    def _hit(
        self,
        searcher: tantivy.Searcher,
        address: tantivy.DocAddress,
        score: float,
        snippets: tantivy.SnippetGenerator | None,
    ) -> SearchHit:
        doc = searcher.doc(address)
        body = doc.get_first("body") or ""
        snippet = _snippet_html(snippets.snippet_from_doc(doc), body) if snippets else ""
        rating = doc.get_first("rating")
        warc = doc.get_first("warc")
        return SearchHit(
            url=str(doc.get_first("url")),
            title=doc.get_first("title"),
            author=doc.get_first("authors"),
            published=doc.get_first("published_text"),
            rating=json.loads(rating) if rating else None,
            site=doc.get_first("site"),
            snippet=snippet or _leading_text(body),
            score=float(score),
            warc=json.loads(warc) if warc else None,
        )


def _acquire_writer(
    index: tantivy.Index, path: Path, timeout: float, heap_size: int, threads: int
) -> tantivy.IndexWriter:
    """Open the index's single writer, retrying with backoff while another holds it."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return index.writer(heap_size, threads)
        except ValueError as exc:
            if "LockBusy" not in str(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise IndexLockedError(
                    f"the search index at {path} is locked by another writer (a running "
                    f"`blogarchive crawl` or `reindex` holds it); gave up after {timeout:g}s"
                ) from None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)


def _snippet_html(snippet: tantivy.Snippet, body: str) -> str:
    """The snippet's fragment, HTML-escaped, highlights in <mark>, "…" where cut."""
    fragment = snippet.fragment()
    if not fragment:
        return ""
    raw = fragment.encode("utf-8")
    parts: list[str] = []
    cursor = 0
    for rng in sorted(snippet.highlighted(), key=lambda r: r.start):
        start, end = max(rng.start, cursor), rng.end
        if end <= start:
            continue
        parts.append(html.escape(_collapse(raw[cursor:start].decode("utf-8", "replace")), False))
        marked = html.escape(_collapse(raw[start:end].decode("utf-8", "replace")), False)
        parts.append(f"<mark>{marked}</mark>")
        cursor = end
    parts.append(html.escape(_collapse(raw[cursor:].decode("utf-8", "replace")), False))
    text = "".join(parts)
    # Elide the body around the fragment; keep what is left if it is only punctuation.
    frag_range = snippet.fragment_range()
    body_raw = body.encode("utf-8")
    before = body_raw[: frag_range.start].decode("utf-8", "replace")
    after = body_raw[frag_range.end :].decode("utf-8", "replace")
    if before:
        text = ("…" if _WORD_RE.search(before) else html.escape(_collapse(before), False)) + text
    if after:
        text += "…" if _WORD_RE.search(after) else html.escape(_collapse(after), False)
    return text.strip()


_WORD_RE = re.compile(r"\w")
