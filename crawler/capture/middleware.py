"""Middlewares around WARC capture.

:class:`CaptureSpiderMiddleware` sits next to the spider: when a callback is done with
a response, it has the capture written together with the callback's posts, and hands
on the posts with their WARC pointer and version. :class:`ConditionalRequestMiddleware`
asks for a post only if it changed since its last capture (ETag, Last-Modified).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.history import HISTORY_FILE, History
from archive.records import PostRecord
from crawler.capture.extension import WarcCaptureExtension

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _extension(crawler: Crawler) -> WarcCaptureExtension | None:
    assert crawler.extensions is not None
    for ext in crawler.extensions.middlewares:
        if isinstance(ext, WarcCaptureExtension):
            return ext
    return None


class CaptureSpiderMiddleware:
    """Writes a response's deferred capture once its callback has produced everything."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._extension: WarcCaptureExtension | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        posts: list[PostRecord] = []
        async for output in result:
            if isinstance(output, PostRecord):
                posts.append(output)
            else:
                yield output
        for post in self._flush(response, posts):
            yield post

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._flush(response, [])

    def _flush(self, response: Response, posts: list[PostRecord]) -> Iterable[PostRecord]:
        if self._extension is None:  # looked up once, on the first response
            self._extension = _extension(self.crawler)
        extension = self._extension
        if extension is None or response.request is None:
            return posts
        return extension.flush(response.request, posts)


class ConditionalRequestMiddleware:
    """Adds ``If-None-Match`` / ``If-Modified-Since`` to requests marked ``conditional``."""

    def __init__(self, history: History) -> None:
        self.history = history

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_CONDITIONAL_ENABLED"):
            raise NotConfigured("ARCHIVE_CONDITIONAL_ENABLED is off")
        return cls(History(Path(settings.get("ARCHIVE_DIR")) / HISTORY_FILE))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional") or b"If-None-Match" in request.headers:
            return
        last = self.history.last_capture(request.url)
        # Only for posts whose item is stored: after a crash between the WARC write and
        # the JSONL line, a 304 would hide the post forever; a full fetch recovers it.
        if last is None or self.history.last_version(request.url) is None:
            return
        if last.etag:
            request.headers[b"If-None-Match"] = last.etag
        if last.last_modified:
            request.headers[b"If-Modified-Since"] = last.last_modified
