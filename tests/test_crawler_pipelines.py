"""The JSONL pipeline (through the crawl's archiving session) keeps each post's line and
its recorded version together.

A line whose version is not in the history is archived again by the next crawl, so
when SQLite refuses the version (its disk is full) the line must go too. The history
here is a real SQLite file made "full" with ``PRAGMA max_page_count``, which makes
SQLite answer SQLITE_FULL exactly as a full disk does.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archive.datadir import HISTORY_FILE
from archive.jsonl import dumps, iter_archive
from archive.records import ImageRef, PostRecord
from archive.search.index import SearchIndex
from archive.state.history import History
from crawler.capture.extension import ArchiveExtension
from crawler.pipelines import IndexPipeline, JsonlExportPipeline
from crawler.spiders.holds import AssetHolds


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[JsonlExportPipeline]:
    crawler = get_crawler(
        Spider,
        {
            "ARCHIVE_DIR": str(tmp_path),
            "ARCHIVE_JSONL_ENABLED": True,
            "ARCHIVE_DEDUP_ENABLED": True,
            "ARCHIVE_WARC_ENABLED": False,
            "ARCHIVE_INDEX_ENABLED": True,
            "EXTENSIONS": {ArchiveExtension: 100},
        },
    )
    crawler.spider = Spider("fixture")
    crawler.stats.open_spider()
    extension = crawler.get_extension(ArchiveExtension)
    assert extension is not None
    built = build_from_crawler(JsonlExportPipeline, crawler)
    built.open_spider()
    yield built
    extension.session.close()  # again if the test finished it: closing twice is harmless


def _post(n: int) -> PostRecord:
    post = PostRecord(url=f"http://blog.test/post/{n}", title=f"post {n}", body="words " * 50)
    return post.replace(version=1, content_hash=post.compute_content_hash())


def _fill_up(pipeline: JsonlExportPipeline) -> None:
    """Cap the database at the pages it has now, so new rows soon need one too many."""
    db = pipeline.session.history.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_version_sqlite_refuses_takes_its_line_back(
    pipeline: JsonlExportPipeline, tmp_path: Path
) -> None:
    pipeline.process_item(_post(0))
    _fill_up(pipeline)
    kept, dropped, errors = [], [], set()
    for n in range(1, 200):
        try:
            kept.append(pipeline.process_item(_post(n)).url)
        except DropItem as exc:
            errors.add(str(exc.__cause__))
            dropped.append(f"http://blog.test/post/{n}")
    pipeline.session.finish()
    assert dropped, "the capped database never filled up"
    assert errors == {"database or disk is full"}
    assert pipeline.stopping
    assert pipeline.crawler.stats is not None
    assert pipeline.crawler.stats.get_value("archive/jsonl/errors") == len(dropped)
    lines = [item.url for item in iter_archive(tmp_path / "items")]
    history = History(tmp_path / HISTORY_FILE)
    recorded = {url for (url,) in history.db.execute("SELECT url FROM versions WHERE version = 1")}
    history.close()
    assert lines == ["http://blog.test/post/0", *kept]
    assert recorded == set(lines)
    assert not recorded & set(dropped)


def test_a_line_that_cannot_be_written_records_no_version(
    pipeline: JsonlExportPipeline, tmp_path: Path
) -> None:
    pipeline.process_item(_post(0))
    writer = pipeline.session.jsonl
    assert writer is not None
    written = writer.count
    with _file_size_limit(_open_size(pipeline) + 100), pytest.raises(DropItem, match="too large"):
        pipeline.process_item(_post(1))
    assert writer.count == written
    assert pipeline.stopping
    _assert_post_1_lost_and_the_next_archived(pipeline, tmp_path)


def _assert_post_1_lost_and_the_next_archived(
    pipeline: JsonlExportPipeline, tmp_path: Path
) -> None:
    """Post 1 failed: neither its version nor its line is kept, and post 2 goes through."""
    assert pipeline.session.history.last_version("http://blog.test/post/1") is None
    pipeline.process_item(_post(2))
    pipeline.session.finish()
    urls = [item.url for item in iter_archive(tmp_path / "items")]
    assert urls == ["http://blog.test/post/0", "http://blog.test/post/2"]


def _open_size(pipeline: JsonlExportPipeline) -> int:
    writer = pipeline.session.jsonl
    assert writer is not None
    assert writer._file is not None
    return os.fstat(writer._file.fileno()).st_size


@contextmanager
def _file_size_limit(size: int) -> Iterator[None]:
    """RLIMIT_FSIZE: the kernel refuses writes past ``size`` with EFBIG, as a full disk would."""
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, handler)


def test_a_busy_history_drops_the_post_before_writing_it(
    pipeline: JsonlExportPipeline, tmp_path: Path
) -> None:
    pipeline.session.history.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(tmp_path / HISTORY_FILE, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DropItem, match="database is locked"):
            pipeline.process_item(_post(1))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not pipeline.stopping  # a busy database may free up: the crawl goes on
    pipeline.process_item(_post(2))
    pipeline.session.finish()
    assert [item.url for item in iter_archive(tmp_path / "items")] == ["http://blog.test/post/2"]


def test_a_version_that_cannot_be_committed_takes_its_written_line_back(
    pipeline: JsonlExportPipeline, tmp_path: Path
) -> None:
    pipeline.process_item(_post(0))
    wal = (tmp_path / (HISTORY_FILE + "-wal")).stat().st_size
    line = len(dumps(_post(1))) + 1
    # Room for the JSONL line, none for SQLite's next WAL frame: COMMIT is what fails.
    assert _open_size(pipeline) + line < wal
    with _file_size_limit(_open_size(pipeline) + line), pytest.raises(DropItem) as dropped:
        pipeline.process_item(_post(1))
    assert isinstance(dropped.value.__cause__, sqlite3.Error)
    _assert_post_1_lost_and_the_next_archived(pipeline, tmp_path)


def test_only_archived_posts_count_as_new_or_changed(pipeline: JsonlExportPipeline) -> None:
    pipeline.process_item(_post(0))
    pipeline.process_item(_post(1).replace(version=2))
    with _file_size_limit(_open_size(pipeline)), pytest.raises(DropItem):
        pipeline.process_item(_post(2))
    pipeline.session.finish()
    stats = pipeline.crawler.stats
    assert stats is not None
    assert stats.get_value("archive/posts/new") == 1
    assert stats.get_value("archive/posts/changed") == 1


def test_posts_still_waiting_for_their_images_are_committed_at_close(
    pipeline: JsonlExportPipeline,
) -> None:
    """A crawl stopped before a held post's images came: its line and version are kept,
    and it is searchable (the index pipeline has closed before this one)."""
    holds = AssetHolds(lambda url: None)
    holds.expect("http://cdn.test/a.png")
    waiting = _post(0).replace(images=[ImageRef(url="http://cdn.test/a.png", alt="a")])
    assert holds.hold(waiting) == []
    pipeline.crawler.spider.asset_holds = holds  # type: ignore[union-attr]
    pipeline.close_spider()
    pipeline.session.finish()
    lines = list(iter_archive(pipeline.session.data_dir / "items"))
    assert [(line.url, line.images[0].url, line.images[0].warc) for line in lines] == [
        ("http://blog.test/post/0", "http://cdn.test/a.png", None)
    ]
    assert pipeline.session.history.last_version("http://blog.test/post/0") is not None
    assert holds.parked == []
    index = SearchIndex(pipeline.session.data_dir / "index")
    assert [hit.url for hit in index.search("post")] == ["http://blog.test/post/0"]


def test_the_index_commits_a_batch_when_full_or_when_its_first_post_has_waited(
    tmp_path: Path,
) -> None:
    """A fast crawl commits every ARCHIVE_INDEX_BATCH_SIZE posts; a slow one still commits
    once the oldest waiting post is ARCHIVE_INDEX_BATCH_SECONDS old; the rest at close."""
    now = [0.0]
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    index = IndexPipeline(crawler, tmp_path / "index", 3, 30.0, clock=lambda: now[0])
    for n in range(4):
        index.process_item(_post(n))
    assert SearchIndex(tmp_path / "index").count() == 3  # full at three
    now[0] = 29.0
    index.process_item(_post(4))
    assert len(index.pending) == 2  # post 3 came at 0 s: 29 s of waiting
    now[0] = 31.0
    index.process_item(_post(5))
    assert index.pending == []
    assert SearchIndex(tmp_path / "index").count() == 6
    now[0] = 100.0
    index.process_item(_post(6))  # the first of a new batch: its clock starts now
    assert len(index.pending) == 1
    index.close_spider()
    assert SearchIndex(tmp_path / "index").count() == 7
