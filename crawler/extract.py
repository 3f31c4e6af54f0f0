"""Offline extraction: posts from saved HTML files and from WARC and ARC response records."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from archive.datadir import OPEN_SUFFIX
from archive.records import PostRecord, WarcRef
from archive.warc.reading import READ_ERRORS, Entry, Reading, read_archive, short_reason
from crawler.parsers import page_for
from crawler.parsers.kinds import is_binary

logger = logging.getLogger(__name__)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 64 * 1024
_ARCHIVE_STARTS = (b"WARC/", b"filedesc://")  # WARC, or the older ARC format
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|meta|title|article|main|section|div|p|h[1-6]|br)\b",
    re.IGNORECASE,
)


def file_kind(path: Path) -> Literal["warc", "html"]:
    """What a file holds, by its first bytes; raises ValueError when neither WARC nor HTML."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise ValueError("empty file")
    if _gunzipped_start(head).startswith(_ARCHIVE_STARTS) or head.startswith(_ARCHIVE_STARTS):
        return "warc"
    # A saved page is text when (almost) none of its bytes are controls: at most 1%.
    if not is_binary(head, share=0.01, within=_SNIFF_BYTES) and _MARKUP.search(head):
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
    reading: Reading, *, platform: str = "auto", every: bool = False
) -> Iterator[PostRecord]:
    """Every post and page among the HTML responses of a WARC or ARC file (``every``: every
    HTML page, listings included). Skipped records and where the file stops being readable
    are told in ``reading``."""
    filename = reading.path.name.removesuffix(OPEN_SUFFIX)
    for entry in read_archive(reading):
        html = _html_response(entry, reading)
        if entry.url is None or html is None:
            continue
        body, content_type = html
        page = page_for(entry.url, body, platform=platform, encoding=_charset(content_type))
        if not every and not page.page_kind.is_item:
            logger.debug("%s: not a post (%s)", entry.url, page.page_kind.reason)
            continue
        ref = WarcRef(filename=filename, offset=entry.offset, record_id=entry.record_id)
        yield page.extract().replace(fetched_at=entry.date, warc=ref)


def _html_response(entry: Entry, reading: Reading) -> tuple[bytes, str] | None:
    """The body and Content-Type of an HTML response record; None for any other record."""
    headers = entry.record.http_headers
    if entry.kind != "response" or headers is None:
        return None
    content_type = headers.get_header("Content-Type") or ""
    if not content_type.lower().startswith(HTML_TYPES):
        return None
    try:
        return entry.record.content_stream().read(), content_type
    except READ_ERRORS as exc:  # a bad chunk or content encoding spoils this record only
        reading.notes.append(f"skipped the response at byte {entry.offset}: {short_reason(exc)}")
        return None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
