"""The bare Scrapy spider of ``benchmarks/crawl.py``: follow every same-host link, keep nothing.

    scrapy runspider benchmarks/crawl_spider.py -a url=http://127.0.0.1:PORT/

Runs under the project's Scrapy and under the scrapy-webarchive virtualenv's older Scrapy
(which adds its WACZ exporter through ``-s EXTENSIONS=...``). Prints one JSON line with the
response count when it closes; writes no files.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BareSpider(CrawlSpider):
    name = "bare"

    def __init__(self, url: str = "", *args: Any, **kwargs: Any) -> None:
        parts = urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError(f"loopback only, got {url!r}")
        self.start_urls = [url]
        self.allowed_domains = [parts.hostname]
        # Same scheme, host and port (LinkExtractor's allow_domains compares netlocs, port
        # included, so it would reject every link). Compiled in __init__: set rules first.
        same_site = "^" + re.escape(f"{parts.scheme}://{parts.netloc}/")
        self.rules = (Rule(LinkExtractor(allow=[same_site]), follow=True),)
        super().__init__(*args, **kwargs)

    def parse_start_url(self, response: Response, **kwargs: Any) -> list[Any]:
        return []

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        pages = int(stats.get("response_received_count", 0))
        print(json.dumps({"pages": pages, "reason": reason}), flush=True)
