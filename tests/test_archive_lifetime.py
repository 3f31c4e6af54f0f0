"""An archived response's freshness lifetime from its own headers (RFC 9111 §4.2.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive.lifetime import header_lifetime

DATE = "Mon, 07 Dec 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("headers", "lifetime"),
    [
        ({"Cache-Control": "public, max-age=3600"}, timedelta(hours=1)),
        ({"Cache-Control": 'max-age="60"'}, timedelta(seconds=60)),
        ({"Cache-Control": "no-cache", "Expires": "Tue, 08 Dec 2026 10:00:00 GMT"}, timedelta(0)),
        ({"Cache-Control": "private, no-store"}, timedelta(0)),
        # max-age wins over Expires; Expires counts from the response's Date.
        (
            {"Cache-Control": "max-age=5", "Expires": "Tue, 08 Dec 2026 10:00:00 GMT"},
            timedelta(seconds=5),
        ),
        ({"Date": DATE, "Expires": "Tue, 08 Dec 2026 10:00:00 GMT"}, timedelta(days=1)),
        ({"Date": DATE, "Expires": "Sun, 06 Dec 2026 10:00:00 GMT"}, timedelta(0)),
        ({"Date": DATE, "Expires": "0"}, timedelta(0)),  # invalid: already expired
        ({"Cache-Control": "public"}, None),
        ({}, None),
    ],
)
def test_header_lifetime(headers: dict[str, str], lifetime: timedelta | None) -> None:
    assert header_lifetime(headers.get) == lifetime
