"""Offline extraction: posts from saved HTML files and from WARC response records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.records import PostRecord, WarcRef
from crawler.parsers import NotAPost, parse_post

logger = logging.getLogger(__name__)
HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.open", ".warc.gz.open", ".arc", ".arc.gz")


def is_warc(path: Path) -> bool:
    """By name, or by content: a WARC starts with ``WARC/`` (or a gzip member of it)."""
    if path.name.endswith(WARC_SUFFIXES):
        return True
    with path.open("rb") as handle:
        head = handle.read(4)
    return head == b"WARC" or head[:2] == b"\x1f\x8b"


def extract_html(path: Path, *, url: str | None, platform: str = "auto") -> PostRecord:
    """One saved page; raises ValueError (NotAPost) when it is not a post page."""
    address = url or path.resolve().as_uri()
    try:
        return parse_post(address, path.read_bytes(), platform=platform)
    except NotAPost as exc:
        raise ValueError(f"not a post page: {exc}") from None


def extract_warc(path: Path, *, platform: str = "auto") -> Iterator[PostRecord]:
    """Every post among the HTML response records of a WARC file."""
    filename = path.name.removesuffix(".open")
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if not content_type.lower().startswith(HTML_TYPES):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            body = record.content_stream().read()
            ref = WarcRef(
                filename=filename,
                offset=records.get_record_offset(),
                record_id=record.rec_headers.get_header("WARC-Record-ID"),
            )
            try:
                post = parse_post(url, body, platform=platform, encoding=_charset(content_type))
            except NotAPost as exc:
                logger.debug("%s: not a post (%s)", url, exc)
                continue
            yield post.replace(fetched_at=record.rec_headers.get_header("WARC-Date"), warc=ref)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
