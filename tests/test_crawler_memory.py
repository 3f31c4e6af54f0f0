"""Memory of a long crawl: the malloc extension and the pickled scheduler queue."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.extensions import malloc
from crawler.extensions.malloc import M_MMAP_THRESHOLD, MallocExtension
from crawler.squeues import PickledLifoMemoryQueue

ON = {"BLOGARCHIVE_MALLOC_ENABLED": True, "BLOGARCHIVE_MALLOC_MMAP_THRESHOLD": 131072}


class FakeLibc:
    """Records ``mallopt`` calls instead of changing this test process's malloc."""

    def __init__(self, result: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.result = result

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return self.result


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> FakeLibc:
    fake = FakeLibc()
    monkeypatch.setattr(malloc, "glibc", lambda: fake)
    return fake


def test_sets_the_mmap_threshold(libc: FakeLibc) -> None:
    ext = build_from_crawler(MallocExtension, get_crawler(Spider, ON))
    assert ext.threshold == 131072
    assert libc.calls == [(M_MMAP_THRESHOLD, 131072)]


def test_disabled_raises_not_configured(libc: FakeLibc) -> None:
    crawler = get_crawler(Spider, {**ON, "BLOGARCHIVE_MALLOC_ENABLED": False})
    with pytest.raises(NotConfigured, match="BLOGARCHIVE_MALLOC_ENABLED"):
        build_from_crawler(MallocExtension, crawler)
    assert libc.calls == []


@pytest.mark.parametrize("value", [0, -1, 64 * 1024 * 1024])
def test_threshold_out_of_range_raises_not_configured(libc: FakeLibc, value: int) -> None:
    crawler = get_crawler(Spider, {**ON, "BLOGARCHIVE_MALLOC_MMAP_THRESHOLD": value})
    with pytest.raises(NotConfigured, match=f"BLOGARCHIVE_MALLOC_MMAP_THRESHOLD \\({value}\\)"):
        build_from_crawler(MallocExtension, crawler)
    assert libc.calls == []


def test_without_glibc_raises_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(malloc, "glibc", lambda: None)
    with pytest.raises(NotConfigured, match="not glibc"):
        build_from_crawler(MallocExtension, get_crawler(Spider, ON))


def test_refused_mallopt_raises_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(malloc, "glibc", lambda: FakeLibc(result=0))
    with pytest.raises(NotConfigured, match="failed"):
        build_from_crawler(MallocExtension, get_crawler(Spider, ON))


def test_project_settings_enable_both() -> None:
    from crawler import settings

    assert settings.BLOGARCHIVE_MALLOC_ENABLED
    assert "crawler.extensions.malloc.MallocExtension" in settings.EXTENSIONS
    assert settings.SCHEDULER_MEMORY_QUEUE == "crawler.squeues.PickledLifoMemoryQueue"


class PageSpider(Spider):
    name = "pages"

    def parse_page(self, response: Response) -> None:
        pass

    def failed(self, failure: Any) -> None:
        pass


@pytest.fixture
def crawler() -> Crawler:
    crawler = get_crawler(PageSpider)
    crawler.spider = PageSpider.from_crawler(crawler)
    return crawler


@pytest.fixture
def queue(crawler: Crawler) -> PickledLifoMemoryQueue:
    return build_from_crawler(PickledLifoMemoryQueue, crawler, "0")


def page_request(crawler: Crawler, n: int, **kwargs: Any) -> Request:
    spider: Any = crawler.spider
    kwargs.setdefault("callback", spider.parse_page)
    return Request(f"http://blog.example/p/{n}.html", errback=spider.failed, **kwargs)


def test_queue_is_lifo_and_round_trips_requests(
    crawler: Crawler, queue: PickledLifoMemoryQueue
) -> None:
    first = page_request(crawler, 1, priority=20, meta={"kind": "post", "conditional": True})
    first.headers["Referer"] = "http://blog.example/sitemap.xml"
    queue.push(first)
    queue.push(page_request(crawler, 2))
    assert len(queue) == 2
    peeked = queue.peek()
    assert peeked is not None
    assert peeked.url.endswith("/2.html")
    assert queue.pop() is not None
    back = queue.pop()
    assert back is not None
    assert back is not first
    assert back.url == first.url
    spider: Any = crawler.spider
    assert back.callback == spider.parse_page
    assert back.errback == spider.failed
    assert back.meta == {"kind": "post", "conditional": True}
    assert back.headers.get("Referer") == b"http://blog.example/sitemap.xml"
    assert back.priority == 20
    assert queue.pop() is None
    assert queue.peek() is None
    assert len(queue) == 0


def test_queue_holds_bytes_not_requests(crawler: Crawler, queue: PickledLifoMemoryQueue) -> None:
    queue.push(page_request(crawler, 1))
    assert [type(item) for item in queue._items] == [bytes]


@pytest.mark.parametrize("kind", ["meta", "callback"])
def test_queue_keeps_what_it_cannot_pickle(
    crawler: Crawler, queue: PickledLifoMemoryQueue, kind: str
) -> None:
    if kind == "meta":
        request = page_request(crawler, 1, meta={"lock": threading.Lock()})
    else:
        request = page_request(crawler, 1, callback=lambda response: None)
    queue.push(request)
    assert queue.pop() is request


def test_close_empties_the_queue(crawler: Crawler, queue: PickledLifoMemoryQueue) -> None:
    queue.push(page_request(crawler, 1))
    queue.close()
    assert len(queue) == 0
