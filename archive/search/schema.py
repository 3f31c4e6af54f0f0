"""The search index's schema, analyzers and on-disk schema version.

:func:`open_index` opens (or creates) the tantivy index in a directory, checking the
version file that :data:`SCHEMA_VERSION` is written to.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import tantivy

from archive.state.db import unwritable
from archive.state.locks import directory_lock

__all__ = [
    "CJK_ANALYZER",
    "CJK_FIELDS",
    "DEFAULT_FIELDS",
    "FIELD_ALIASES",
    "NAME_ANALYZER",
    "SCHEMA_VERSION",
    "TEXT_ANALYZER",
    "VERSION_FILE",
    "SchemaVersionError",
    "build_schema",
    "cjk_analyzer",
    "name_analyzer",
    "open_index",
    "text_analyzer",
]

SCHEMA_VERSION = 3
"""Bump when the schema or the analyzers change; old indexes then need ``reindex``."""

VERSION_FILE = "blogarchive-index.json"
"""File in the index directory that records the schema version."""

TEXT_ANALYZER = "blogarchive_text"  # ASCII-folded, lower-cased, English-stemmed
NAME_ANALYZER = "blogarchive_name"  # ASCII-folded, lower-cased, not stemmed
CJK_ANALYZER = "blogarchive_cjk"  # pre-split CJK character bigrams (see archive.search.documents)

# Fields searched by a bare word, with their BM25 boosts.
DEFAULT_FIELDS: dict[str, float] = {"title": 3.0, "authors": 2.0, "body": 1.0, "tags": 1.5}
# The CJK bigram companion of a text field (CJK runs are indexed only there).
CJK_FIELDS: dict[str, str] = {"title": "title_cjk", "body": "body_cjk"}
# Field names a user may write before a colon, mapped to schema fields.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "body": "body",
    "tag": "tags",
    "tags": "tags",
    "site": "site",
}


class SchemaVersionError(RuntimeError):
    """The index on disk was built with another schema version: run ``blogarchive reindex``."""


def build_schema() -> tantivy.Schema:
    """The index schema; see :mod:`archive.search.documents` for how a post fills it."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=False, tokenizer_name="raw")  # url + version: one doc each
    sb.add_text_field("url", stored=True, tokenizer_name="raw")
    sb.add_text_field("site", stored=True, tokenizer_name="raw")
    sb.add_text_field("kind", stored=True, tokenizer_name="raw")  # "post" or "page"
    sb.add_text_field("title", stored=True, tokenizer_name=TEXT_ANALYZER)
    sb.add_text_field("title_cjk", stored=False, tokenizer_name=CJK_ANALYZER)
    sb.add_text_field("authors", stored=True, tokenizer_name=NAME_ANALYZER)
    sb.add_text_field("author_key", stored=False, tokenizer_name="raw")
    sb.add_text_field("body", stored=True, tokenizer_name=TEXT_ANALYZER)
    sb.add_text_field("body_cjk", stored=False, tokenizer_name=CJK_ANALYZER)
    sb.add_text_field("tags", stored=True, tokenizer_name=TEXT_ANALYZER)
    sb.add_text_field("tag_key", stored=False, tokenizer_name="raw")
    sb.add_text_field("lang", stored=False, tokenizer_name="raw")
    sb.add_date_field("published", stored=False, indexed=True, fast=True)
    # The same instant as seconds, for tie-breaking (the binding reads only numeric fast fields).
    sb.add_integer_field("published_ts", stored=False, indexed=False, fast=True)
    sb.add_text_field("published_text", stored=True, tokenizer_name="raw")
    sb.add_float_field("rating_norm", stored=False, indexed=True, fast=True)
    sb.add_text_field("rating", stored=True, tokenizer_name="raw")
    sb.add_text_field("warc", stored=True, tokenizer_name="raw")
    sb.add_text_field("fetched_at", stored=True, tokenizer_name="raw")
    sb.add_integer_field("version", stored=True, indexed=True, fast=True)
    # "1" on every version of a URL but its latest: searches exclude them by default.
    sb.add_text_field("superseded", stored=False, tokenizer_name="raw", index_option="basic")
    # JSON of the record's other fields (updated, language...) and, for posts with CJK
    # text, the original title and body (``title`` and ``body`` hold them masked).
    sb.add_bytes_field("extra", stored=True, indexed=False)
    return sb.build()


def text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def name_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def cjk_analyzer() -> tantivy.TextAnalyzer:
    """Splits the bigram text that :func:`archive.search.documents.cjk_bigrams` makes on spaces."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def open_index(
    path: Path, schema: tantivy.Schema, text: tantivy.TextAnalyzer, name: tantivy.TextAnalyzer
) -> tantivy.Index:
    """Open the index in ``path``, or create it (and its version file) if there is none.

    Raises :class:`SchemaVersionError` if the index on disk has another schema version.
    """
    if unwritable(path / "meta.json"):
        index = _open_existing(_readable_view(path), schema)
    else:
        path.mkdir(parents=True, exist_ok=True)
        # Two crawls starting at once on a new data dir: without the lock, one could see
        # the other's meta.json before its version file and take the new index for an old.
        with directory_lock(path):
            if (path / "meta.json").exists():
                index = _open_existing(path, schema)
            else:
                index = tantivy.Index(schema, path=str(path), reuse=True)
                _write_version(path / VERSION_FILE)
    index.register_tokenizer(TEXT_ANALYZER, text)
    index.register_tokenizer(NAME_ANALYZER, name)
    index.register_tokenizer(CJK_ANALYZER, cjk_analyzer())
    index.config_reader("manual")
    return index


def _readable_view(path: Path) -> Path:
    """A private directory of links to a read-only index's files (a read-only mount, a
    published copy): tantivy creates its lock files next to ``meta.json`` even to read.
    Removed when the process exits."""
    view = Path(tempfile.mkdtemp(prefix="blogarchive-index-"))
    atexit.register(shutil.rmtree, view, ignore_errors=True)
    for item in path.iterdir():
        if not item.name.endswith(".lock"):  # tantivy's own, made afresh in the view
            (view / item.name).symlink_to(item.resolve())
    return view


def _open_existing(path: Path, schema: tantivy.Schema) -> tantivy.Index:
    found = _read_version(path / VERSION_FILE)
    if found != SCHEMA_VERSION:
        raise _version_error(path, found)
    try:
        return tantivy.Index(schema, path=str(path), reuse=True)
    except ValueError as exc:
        raise SchemaVersionError(
            f"the search index at {path} does not match this version of "
            f"blogarchive ({exc}); run `blogarchive reindex` to rebuild it"
        ) from None


def _read_version(version_file: Path) -> int | None:
    try:
        data = json.loads(version_file.read_text(encoding="utf-8"))
        version = data.get("schema_version")
    except (OSError, ValueError, AttributeError):
        return None
    return version if isinstance(version, int) else None


def _write_version(version_file: Path) -> None:
    """Write the version file atomically (a temporary file, then a rename)."""
    tmp = version_file.with_name(f"{VERSION_FILE}.{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps({"format": "blogarchive-search", "schema_version": SCHEMA_VERSION}) + "\n",
        encoding="utf-8",
    )
    tmp.replace(version_file)


def _version_error(path: Path, found: int | None) -> SchemaVersionError:
    built = "an unknown schema version" if found is None else f"schema version {found}"
    return SchemaVersionError(
        f"the search index at {path} was built with {built}, but this version of "
        f"blogarchive uses schema version {SCHEMA_VERSION}; "
        "run `blogarchive reindex` to rebuild it"
    )
