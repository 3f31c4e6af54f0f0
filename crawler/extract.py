"""Offline extraction: posts from saved HTML files and from WARC response records."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.datadir import OPEN_SUFFIX
from archive.records import PostRecord, WarcRef
from crawler.parsers import page_for

logger = logging.getLogger(__name__)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 64 * 1024
_ARCHIVE_STARTS = (b"WARC/", b"filedesc://")  # WARC, or the older ARC format
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|meta|title|article|main|section|div|p|h[1-6]|br)\b",
    re.IGNORECASE,
)
_CONTROL = bytes(range(9)) + bytes(range(14, 32))


def file_kind(path: Path) -> Literal["warc", "html"]:
    """What a file holds, by its first bytes; raises ValueError when neither WARC nor HTML."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise ValueError("empty file")
    if _gunzipped_start(head).startswith(_ARCHIVE_STARTS) or head.startswith(_ARCHIVE_STARTS):
        return "warc"
    if _looks_like_text(head) and _MARKUP.search(head):
        return "html"
    raise ValueError("not a WARC or HTML file")


def _gunzipped_start(head: bytes) -> bytes:
    """The first bytes of a gzip stream's content (b"" when not gzip or corrupt)."""
    if not head.startswith(b"\x1f\x8b"):
        return b""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return b""


def _looks_like_text(head: bytes) -> bool:
    """No NUL byte and (almost) no other control characters."""
    if b"\x00" in head:
        return False
    return sum(head.count(c) for c in _CONTROL) <= len(head) // 100


def extract_html(
    path: Path, *, url: str | None, platform: str = "auto", every: bool = False
) -> PostRecord:
    """One saved page; raises ValueError when it is not a post or a page, unless ``every``
    (then its record says what ``kind`` of page it is)."""
    address = url or path.resolve().as_uri()
    page = page_for(address, path.read_bytes(), platform=platform)
    if not every and not page.page_kind.is_item:
        raise ValueError(f"not a post page: {page.page_kind.reason}")
    return page.extract()


def extract_warc(
    path: Path, *, platform: str = "auto", every: bool = False
) -> Iterator[PostRecord]:
    """Every post and page among the HTML response records of a WARC file (``every``: every
    HTML page, listings included)."""
    filename = path.name.removesuffix(OPEN_SUFFIX)
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        try:
            yield from _posts(records, filename, platform, every)
        except (ArchiveLoadFailed, EOFError, zlib.error) as exc:
            # warcio's own offset is gone after such a failure: say how far we had read.
            raise ValueError(f"damaged WARC near byte {stream.tell()}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """A short printable reason: warcio quotes the bad bytes after ", first line"."""
    text = str(exc).split(", first line")[0] or type(exc).__name__
    return re.sub(r"[^\x20-\x7e]+", "?", text)[:100]


def _posts(
    records: ArchiveIterator, filename: str, platform: str, every: bool
) -> Iterator[PostRecord]:
    """Every post among the HTML response records."""
    for record in records:
        if record.rec_type != "response" or record.http_headers is None:
            continue
        content_type = record.http_headers.get_header("Content-Type") or ""
        if not content_type.lower().startswith(HTML_TYPES):
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        body = record.content_stream().read()  # before get_record_offset(), which skips it
        ref = WarcRef(
            filename=filename,
            offset=records.get_record_offset(),
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )
        page = page_for(url, body, platform=platform, encoding=_charset(content_type))
        if not every and not page.page_kind.is_item:
            logger.debug("%s: not a post (%s)", url, page.page_kind.reason)
            continue
        yield page.extract().replace(
            fetched_at=record.rec_headers.get_header("WARC-Date"), warc=ref
        )


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
