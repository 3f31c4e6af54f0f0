"""Build warcio records for one capture: request, response or revisit, and metadata."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The body is stored de-chunked, so a Transfer-Encoding header would make readers de-chunk
# it again: it is kept under another name, as warcprox and pywb do. Scrapy's Twisted client
# never passes it on (it consumes connection headers), so crawls write neither; this is for
# exchanges built by other means.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# Metadata records carry the post's own URL under this prefix: replay indexers (pywb,
# cdxj-indexer) index JSON metadata records, and under the bare URL they would be
# replayed as a capture of the page. WARC-Concurrent-To links them to the response.
ITEM_URI_PREFIX = "urn:blogarchive:item:"


@dataclass(frozen=True, kw_only=True)
class HttpExchange:
    """One request and its response, as exchanged on the wire (as far as known)."""

    url: str
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    status: int = 200
    reason: str = "OK"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    """The response body as received: still content-encoded, already de-chunked."""
    ip_address: str | None = None
    fetched_at: datetime | None = None

    def header(self, name: str) -> str | None:
        """First response header of that name (case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    @property
    def payload_digest(self) -> str:
        return sha1_digest(self.body)


@dataclass(frozen=True, kw_only=True)
class RevisitOf:
    """The original capture a revisit record points at."""

    record_id: str
    target_uri: str
    date: str
    profile: str = PROFILE_IDENTICAL
    payload_digest: str | None = None
    """The original's payload digest; a 304 has no payload of its own to digest."""


def sha1_digest(data: bytes) -> str:
    """``sha1:`` + base32, the form WARC digests and CDX files use."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


class _Writer(WARCWriter):  # type: ignore[misc]
    """warcio's writer, minus the payload digest it puts on metadata records.

    WARC 1.1 defines a payload only for records whose block is an HTTP message or a
    resource; a metadata block has none, and FastWARC's ``check -p`` fails a metadata
    record that claims a payload digest.
    """

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")


def builder() -> WARCWriter:
    return _Writer(io.BytesIO(), gzip=False, warc_version="1.1")


def response_headers(exchange: HttpExchange) -> StatusAndHeaders:
    headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.response_headers]
    status_line = f"{exchange.status} {exchange.reason}".strip()
    return StatusAndHeaders(status_line, headers, protocol=exchange.protocol)


def response_record(exchange: HttpExchange, record_id: str, date: str) -> Any:
    return builder().create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        warc_headers_dict=_capture_headers(exchange, record_id, date),
        http_headers=response_headers(exchange),
    )


def revisit_record(exchange: HttpExchange, record_id: str, date: str, of: RevisitOf) -> Any:
    """A revisit pointing at the original response: no body, and for a 304 no block at all.

    An identical-payload-digest revisit keeps the new 200's headers. A server-not-modified
    revisit is written with an empty block (WARC 1.1 6.7.3: "may have no content body, in
    which case a Content-Length of zero shall be written"), not with the 304's headers:
    pywb 2.10 replays any revisit whose own status is 3xx as an empty response
    (``resolvingloader.py``), and that revisit is the URL's latest capture, so every
    unchanged post would replay blank after a recrawl. With no headers of its own, pywb
    and wabac.js (ReplayWeb.page) both take status, headers and body from the original
    the ``WARC-Refers-To-*`` fields name. What the server said stays on record: the
    profile says it answered "not modified", and the request record keeps the
    validators it was asked with. README, "Revisits and replay".
    """
    headers = _capture_headers(exchange, record_id, date)
    headers["WARC-Refers-To"] = of.record_id
    not_modified = of.profile == PROFILE_NOT_MODIFIED
    record = builder().create_revisit_record(
        exchange.url,
        # The original's digest (a revisit's payload is the original's, WARC 1.1 5.9);
        # pywb looks the original up by it.
        of.payload_digest or exchange.payload_digest,
        of.target_uri,
        of.date,
        http_headers=None if not_modified else response_headers(exchange),
        warc_headers_dict=headers,
    )
    record.rec_headers.replace_header("WARC-Profile", of.profile)
    if not_modified:
        # WARC 1.1 requires the digest only of identical-payload-digest revisits; checkers
        # that digest the (empty) payload fail on it (FastWARC's ``check -p``), and replay
        # finds the original by URL and date without it.
        record.rec_headers.remove_header("WARC-Payload-Digest")
        record.content_type = None  # an empty block has no media type
    return record


def request_record(exchange: HttpExchange, record_id: str, date: str, concurrent_to: str) -> Any:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    http_headers = StatusAndHeaders(
        f"{exchange.method} {target} {exchange.protocol}", headers, is_http_request=True
    )
    return builder().create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        warc_headers_dict={
            "WARC-Record-ID": record_id,
            "WARC-Date": date,
            "WARC-Concurrent-To": concurrent_to,
        },
        http_headers=http_headers,
    )


def metadata_record(
    url: str, payload: bytes, record_id: str, date: str, concurrent_to: str, content_type: str
) -> Any:
    return builder().create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_headers_dict={
            "WARC-Record-ID": record_id,
            "WARC-Date": date,
            "WARC-Concurrent-To": concurrent_to,
        },
        warc_content_type=content_type,
    )


def warcinfo_record(filename: str, info: dict[str, str], record_id: str, date: str) -> Any:
    payload = "".join(f"{k}: {v}\r\n" for k, v in info.items() if v).encode("utf-8")
    return builder().create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_headers_dict={
            "WARC-Record-ID": record_id,
            "WARC-Date": date,
            "WARC-Filename": filename,
        },
        warc_content_type="application/warc-fields",
    )


def encode(record: Any) -> bytes:
    """A record's uncompressed bytes, digests and Content-Length computed by warcio."""
    buffer = io.BytesIO()
    _Writer(buffer, gzip=False, warc_version="1.1").write_record(record)
    return buffer.getvalue()


def _capture_headers(exchange: HttpExchange, record_id: str, date: str) -> dict[str, str]:
    headers = {"WARC-Record-ID": record_id, "WARC-Date": date}
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    return headers
