"""The resume middleware gives up its frontier, never the crawl's requests.

The frontier lives in a real SQLite file made "full" with ``PRAGMA max_page_count``
(SQLITE_FULL, as on a full disk).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archive.datadir import HISTORY_FILE
from archive.state.frontier import Frontier
from crawler.capture.extension import ArchiveExtension
from crawler.resume import ResumeMiddleware


class _SiteSpider(Spider):
    name = "fixture"
    site_name = "fixture"


@pytest.fixture
def middleware(tmp_path: Path) -> Iterator[ResumeMiddleware]:
    crawler = get_crawler(
        _SiteSpider,
        {
            "ARCHIVE_DIR": str(tmp_path),
            "RESUME_ENABLED": True,
            "EXTENSIONS": {ArchiveExtension: 100},
        },
    )
    crawler.spider = _SiteSpider()
    crawler.stats.open_spider()
    mw = build_from_crawler(ResumeMiddleware, crawler)
    asyncio.run(_drain(mw.process_start(_nothing())))
    yield mw
    mw.spider_closed(crawler.spider, "shutdown")
    mw.session.close()


async def _nothing() -> AsyncIterator[Any]:
    for item in ():
        yield item


async def _drain(start: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in start]


def _request(n: int) -> Request:
    return Request(f"http://blog.test/{n}/" + "x" * 200, meta={"kind": "post"})


def test_a_full_frontier_is_given_up_and_requests_go_on(
    middleware: ResumeMiddleware, tmp_path: Path
) -> None:
    assert middleware.frontier is not None
    middleware.get_processed_request(_request(0), None)
    db = middleware.frontier.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    requests = [_request(n) for n in range(1, 300)]
    assert [middleware.get_processed_request(r, None) for r in requests] == requests
    assert middleware.broken
    stats = middleware.crawler.stats
    assert stats is not None
    assert stats.get_value("blogarchive/resume/errors") == 1
    response = HtmlResponse(requests[0].url, body=b"<p>x</p>", request=requests[0])
    middleware.response_received(response, requests[0], Spider("fixture"))
    recorded = Frontier.open(tmp_path / HISTORY_FILE, "fixture")
    try:
        pending = recorded.pending()
    finally:
        recorded.close()
    assert 1 <= len(pending) < len(requests)  # recorded until the database was full


def test_a_finished_crawl_still_clears_a_given_up_frontier(
    middleware: ResumeMiddleware, tmp_path: Path
) -> None:
    middleware.get_processed_request(_request(1), None)
    middleware.broken = True
    middleware.spider_closed(Spider("fixture"), "finished")
    recorded = Frontier.open(tmp_path / HISTORY_FILE, "fixture")
    try:
        assert recorded.pending() == []
    finally:
        recorded.close()
