"""Pages read whole (``crawler.parsers.reading``) and read by worker processes
(``crawler.parsing``): real worker processes, a real crawl over loopback, a killed worker."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import page_for, worker
from crawler.parsers.reading import Reading, read_page
from crawler.parsers.requisites import page_requisites
from crawler.parsing import PageReader, _Pool
from tests.conftest import LOOPBACK, ROOT, read_items, run_cli
from tests.sites import BlogServer, get_blog

FIXTURES = Path(__file__).parent / "fixtures" / "parsers"
PAGES = sorted(case for case in FIXTURES.iterdir() if (case / "input.html").exists())


def _case(case: Path) -> tuple[str, bytes]:
    return (case / "url.txt").read_text(encoding="utf-8").strip(), (
        case / "input.html"
    ).read_bytes()


@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.name)
def test_a_reading_holds_what_the_page_object_says(case: Path) -> None:
    url, html = _case(case)
    reading = read_page(url, html, requisites=True)
    page = page_for(url, html)
    assert reading.links == page.links()
    assert reading.kind == page.page_kind
    assert reading.platform == page.platform
    if page.page_kind.in_feed().is_item:
        assert reading.record == page.extract()
        assert reading.requisites == page_requisites(page_for(url, html))
    else:
        assert reading.record is None
        assert reading.requisites is None
    assert pickle.loads(pickle.dumps(reading)) == reading  # what a worker sends back


def test_a_canonical_elsewhere_is_judged_by_the_spider_s_scope() -> None:
    html = b'<html><head><link rel="canonical" href="https://blog.example/a/"></head></html>'
    reading = read_page("https://blog.example/a/?utm_source=x", html)
    assert reading.canonical == "https://blog.example/a/"
    assert reading.canonical_elsewhere(lambda url: True) == "https://blog.example/a/"
    assert reading.canonical_elsewhere(lambda url: False) is None
    assert read_page("https://blog.example/a/", html).canonical is None  # its own address


def _ready(pool: _Pool, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not pool.ready:
        assert not pool.failed, "the worker did not start"
        assert time.monotonic() < deadline, "the worker did not start in time"
        time.sleep(0.05)


def _read(reader: PageReader, url: str, html: bytes) -> tuple[Reading, bool]:
    """The reading, and whether it was awaited (a worker's)."""
    found = reader.read(url, html)
    if isinstance(found, Reading):
        return found, False

    async def wait() -> Reading:
        return await found  # type: ignore[misc]

    return asyncio.run(wait()), True


@pytest.fixture
def pool() -> Any:
    pool = _Pool()
    yield pool
    pool.stop()


def test_a_worker_reads_as_the_crawl_would_without_importing_scrapy(pool: _Pool) -> None:
    reader = PageReader(workers=1, after=0, pool=pool)
    reader.open = True
    pool.acquire()
    url, html = _case(PAGES[0])
    first, awaited = _read(reader, url, html)
    assert not awaited
    assert pool.executor is not None
    _ready(pool)
    second, awaited = _read(reader, url, html)
    assert awaited
    assert second == first == read_page(url, html)
    assert pool.executor.submit(worker.loaded, "lxml").result(timeout=30)
    assert not pool.executor.submit(worker.loaded, "scrapy").result(timeout=30)
    assert not pool.executor.submit(worker.loaded, "twisted").result(timeout=30)
    reader.closed()  # the last user: the workers stop
    assert pool.executor is None


def test_workers_stopped_while_starting_start_again_for_the_next_crawl(
    pool: _Pool, caplog: pytest.LogCaptureFixture
) -> None:
    pool.start(1)
    pool.stop()  # the crawl ended before its worker had warmed up
    assert pool.executor is None
    assert not pool.failed
    pool.start(1)
    _ready(pool)
    url, html = _case(PAGES[0])
    future = pool.submit(url, html)
    assert future is not None
    assert future.result(timeout=60) == read_page(url, html)
    assert "exception calling callback" not in caplog.text


def test_a_crawl_that_waits_on_the_network_starts_no_worker(pool: _Pool) -> None:
    reader = PageReader(workers=1, after=0, busy=0.6, pool=pool)
    reader.open = True
    url, html = _case(PAGES[0])
    # Ten seconds since the crawl opened, and next to no CPU spent: a polite crawl.
    reader._since = (time.monotonic() - 10, time.process_time())
    assert isinstance(reader.read(url, html), Reading)
    assert pool.executor is None
    # Busy all along: the CPU time spent equals the time since it opened.
    reader._since = (time.monotonic() - 10, time.process_time() - 10)
    assert isinstance(reader.read(url, html), Reading)  # inline while the worker starts
    assert pool.executor is not None


def test_a_page_that_fails_in_a_worker_fails_as_it_would_inline(
    pool: _Pool, caplog: pytest.LogCaptureFixture
) -> None:
    reader = PageReader(workers=1, after=0, pool=pool)
    reader.open = True
    pool.start(1)
    _ready(pool)
    url, html = _case(PAGES[0])
    with pytest.raises(ValueError, match="unknown platform 'nope'"):
        read_page(url, html, platform="nope")
    pending = reader.read(url, html, platform="nope")
    assert not isinstance(pending, Reading)

    async def wait() -> Reading:
        return await pending

    with pytest.raises(ValueError, match="unknown platform 'nope'"):
        asyncio.run(wait())
    # The spider's error, not a dead worker: the worker goes on with the next page.
    assert not pool.failed
    assert "a parsing worker died" not in caplog.text
    assert _read(reader, url, html) == (read_page(url, html), True)


def test_a_killed_worker_loses_no_page(pool: _Pool, caplog: pytest.LogCaptureFixture) -> None:
    reader = PageReader(workers=1, after=0, pool=pool)
    reader.open = True
    pool.start(1)
    _ready(pool)
    assert pool.executor is not None
    for pid in list(pool.executor._processes):
        os.kill(pid, signal.SIGKILL)
    url, html = _case(PAGES[1])
    with caplog.at_level(logging.ERROR, logger="crawler.parsing"):
        readings = [_read(reader, url, html)[0] for _ in range(3)]
    assert readings == [read_page(url, html)] * 3
    assert pool.failed
    assert "a parsing worker died" in caplog.text
    assert isinstance(reader.read(url, html), Reading)  # inline from then on


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for whoever adopted it to reap it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_crawl_killed_outright_leaves_no_parsing_worker_behind(tmp_path: Path) -> None:
    blog = get_blog("wordpress", posts=40)
    with BlogServer(blog) as server:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--url", server.url,
             "--data-dir", str(tmp_path / "data"), *LOOPBACK, "-s", "DOWNLOAD_DELAY=0.2",
             "-s", "PARSE_WORKERS=1", "-s", "PARSE_WORKERS_AFTER=0", "-s", "PARSE_WORKERS_BUSY=0"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not (children := _children(crawl.pid)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert children, "the crawl started no worker"
        finally:
            crawl.kill()
            crawl.wait()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children):
            assert time.monotonic() < deadline, "a worker outlived its killed crawl"
            time.sleep(0.05)


@pytest.mark.slow
def test_a_crawl_with_a_parsing_worker_archives_what_an_inline_crawl_does(tmp_path: Path) -> None:
    blog = get_blog("wordpress", posts=40)
    found: dict[str, list[dict[str, Any]]] = {}
    with BlogServer(blog) as server:
        for workers in ("0", "1"):
            data_dir = tmp_path / f"workers-{workers}"
            result = run_cli(
                "crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK,
                "-s", f"PARSE_WORKERS={workers}", "-s", "PARSE_WORKERS_AFTER=0",
                "-s", "PARSE_WORKERS_BUSY=0", "-s", "LOG_LEVEL=DEBUG",
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            worked = "'blogarchive/pages/parsed_by_worker'" in result.stderr
            assert worked == (workers == "1"), result.stderr[-3000:]
            found[workers] = read_items(data_dir, kinds=("post", "page"))
    ignored = {"fetched_at", "warc", "crawl_id", "images"}

    def comparable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(
            ({k: v for k, v in item.items() if k not in ignored} for item in items),
            key=lambda item: item["url"],
        )

    assert len(found["1"]) >= len(blog.truth)
    assert comparable(found["1"]) == comparable(found["0"])
    images = {item["url"]: [i["url"] for i in item.get("images") or []] for item in found["1"]}
    assert images == {
        item["url"]: [i["url"] for i in item.get("images") or []] for item in found["0"]
    }
