"""Middlewares around the crawl's archiving session.

:class:`CaptureSpiderMiddleware` sits next to the spider: when a callback is done with
a response, the session archives the response together with the callback's posts
(validated, de-duplicated, versioned), and the middleware hands on the posts with their
WARC pointer and version. :class:`ConditionalRequestMiddleware` asks for a post only if
it changed since its last capture (ETag, Last-Modified).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.records import PostRecord
from archive.session import ArchiveSession
from crawler.capture.extension import ArchiveExtension, session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CaptureSpiderMiddleware:
    """Archives a response with its posts once its callback has produced everything."""

    def __init__(self, extension: ArchiveExtension) -> None:
        self.extension = extension

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = crawler.get_extension(ArchiveExtension)
        if extension is None:
            raise NotConfigured("CaptureSpiderMiddleware needs ArchiveExtension")
        return cls(extension)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        posts: list[PostRecord] = []
        async for output in result:
            # A post with a version is captured already (one that waited for its images).
            if isinstance(output, PostRecord) and output.version is None:
                posts.append(output)
            else:
                yield output
        for post in self._flush(response, posts):
            yield post

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._flush(response, [])

    def _flush(self, response: Response, posts: list[PostRecord]) -> list[PostRecord]:
        if response.request is None:
            return posts
        kept = self.extension.flush(response.request, posts)
        if response.request.meta.get("revalidation"):
            # A post its sitemap or feed called unchanged, asked for again: was it edited?
            changed = sum(1 for post in kept if (post.version or 0) > 1)
            stats = self.extension.crawler.stats
            if changed and stats is not None:
                stats.inc_value("archive/posts/revalidated_changed", changed)
        return kept


class ConditionalRequestMiddleware:
    """Adds ``If-None-Match`` / ``If-Modified-Since`` to requests marked ``conditional``."""

    def __init__(self, session: ArchiveSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_CONDITIONAL_ENABLED"):
            raise NotConfigured("ARCHIVE_CONDITIONAL_ENABLED is off")
        return cls(session_of(crawler, "ConditionalRequestMiddleware"))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional") or b"If-None-Match" in request.headers:
            return
        asset = request.meta.get("kind") == "asset"
        for name, value in self.session.conditional_headers(request.url, asset=asset).items():
            request.headers[name] = value
