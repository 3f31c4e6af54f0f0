"""Adapt Scrapy's request and response to the archive's plain :class:`HttpExchange`."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

from scrapy import Request
from scrapy.http import Response

from archive.warc.records import HttpExchange

HTML_TYPES = ("text/html", "application/xhtml+xml")


def headers_list(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` → ordered (name, value) pairs, one per value."""
    pairs: list[tuple[str, str]] = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        pairs.extend((name, value.decode("latin-1")) for value in values)
    return pairs


def exchange_from(request: Request, response: Response, fetched_at: datetime) -> HttpExchange:
    """What was sent and received. Scrapy keeps no reason phrase: it is rebuilt."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=headers_list(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=reason,
        response_headers=headers_list(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=fetched_at,
    )


def is_html(response: Response) -> bool:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return content_type.startswith(HTML_TYPES)
