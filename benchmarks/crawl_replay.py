"""A bare Scrapy spider that fetches a given list of URLs, in order, and keeps nothing.

    scrapy runspider benchmarks/crawl_replay.py -a urls=FILE   # one URL a line

``benchmarks/crawl.py`` gives it the URLs of blogarchive's WARC request records, so the two
fetch the same pages and their per-page costs compare. Every URL is fetched once as listed:
no duplicate filter, no redirects followed (a redirect's target is on the list itself when
blogarchive fetched it), no robots.txt of its own (blogarchive's robots.txt fetch is on the
list). Prints one JSON line with the response count when it closes; writes no files.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response

_META = {"dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": True}


class ReplaySpider(Spider):
    name = "replay"

    def __init__(self, urls: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = [u for u in Path(urls).read_text().splitlines() if u.strip()]
        for url in self.urls:
            if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
                raise ValueError(f"loopback only, got {url!r}")

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield Request(url, callback=self.parse, meta=_META, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> list[Any]:
        return []

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        pages = int(stats.get("response_received_count", 0))
        print(json.dumps({"pages": pages, "reason": reason}), flush=True)
