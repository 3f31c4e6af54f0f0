"""Scheduler memory queue that keeps requests pickled (``SCHEDULER_MEMORY_QUEUE``).

A sitemap hands the spider every post of a blog at once, so the scheduler holds about
as many requests as the blog has posts. A live :class:`~scrapy.Request` costs ~2 KB
with its headers, meta and the caches keyed by it (URL parse, fingerprint); its
:meth:`~scrapy.Request.to_dict` form, pickled, ~400 bytes. Scrapy's disk queues store
the same form, but need ``JOBDIR``, which would also persist the duplicate filter
between crawls. Order is LIFO within a priority, as Scrapy's default memory queue.
"""

from __future__ import annotations

import pickle
from collections import deque
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# pickle.dumps raises these for an object it cannot pickle (Scrapy's squeues catch the same).
_UNPICKLABLE = (pickle.PicklingError, AttributeError, TypeError)


class PickledLifoMemoryQueue:
    """LIFO queue of requests, each held as a pickled ``to_dict``.

    A request that cannot be stored so (a callback that is not a spider method, an
    object in ``meta`` that pickle refuses) is kept as it is.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._items: deque[bytes | Request] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return cls(crawler)

    def push(self, request: Request) -> None:
        try:
            item: bytes | Request = pickle.dumps(
                request.to_dict(spider=self.crawler.spider), protocol=pickle.HIGHEST_PROTOCOL
            )
        except (ValueError, *_UNPICKLABLE):  # to_dict: ValueError for a foreign callback
            item = request
        self._items.append(item)

    def pop(self) -> Request | None:
        return self._load(self._items.pop()) if self._items else None

    def peek(self) -> Request | None:
        return self._load(self._items[-1]) if self._items else None

    def close(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _load(self, item: bytes | Request) -> Request:
        if isinstance(item, Request):
            return item
        # Bytes this queue pickled itself, in this process: nothing foreign is unpickled.
        return request_from_dict(pickle.loads(item), spider=self.crawler.spider)
