"""crawler.politeness: Retry-After parsing, and robots.txt Crawl-delay honoured in a real crawl."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.politeness import parse_retry_after
from tests.conftest import run_cli
from tests.sites import BlogServer, Resource, get_blog

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Tue, 14 Nov 2023 22:15:00 GMT", 100.0),  # NOW + 100 s
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_crawl_delay_spaces_requests(tmp_path: Path) -> None:
    with BlogServer(get_blog("demo")) as server:
        server.update("/robots.txt", Resource(b"User-agent: *\nCrawl-delay: 0.5\n", "text/plain"))
        result = run_cli(
            "crawl",
            "--url",
            server.url,
            "--max-pages",
            "6",
            "--data-dir",
            str(tmp_path),
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        )
    assert result.returncode == 0, result.stderr
    dates = []
    for path in (tmp_path / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "request" and not url.endswith("/robots.txt"):
                    stamp = record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")
                    dates.append(datetime.fromisoformat(stamp))
    dates.sort()
    assert len(dates) >= 5
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(dates)]
    assert min(gaps) >= 0.45, gaps
