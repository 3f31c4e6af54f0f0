"""The archiving session: one order of decisions for every response and its posts.

No crawler here: the session is driven directly, on real files (WARC read back with
warcio, history in a real SQLite file), with the clock and record ids pinned.
"""

from __future__ import annotations

import gzip
import resource
import signal
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.datadir import HISTORY_FILE
from archive.jsonl import iter_archive
from archive.records import PostRecord
from archive.session import ArchiveSession, ArchiveWriteError, Freshness, revalidation_interval
from archive.state.history import History
from tests.test_archive_warc import CLOCK, EXPECTED, exchange, ids


def _session(data_dir: Path, counts: Counter[str] | None = None) -> ArchiveSession:
    tally = counts if counts is not None else Counter()
    session = ArchiveSession(data_dir, count=lambda key, n: tally.update({key: n}))
    counter = ids()
    session.open_warc(
        prefix="sample",
        hostname="testhost",
        clock=lambda: CLOCK,
        record_id=lambda: next(counter),
        warcinfo={"isPartOf": "sample"},
    )
    session.open_jsonl(prefix="sample", clock=lambda: CLOCK)
    return session


def _post(path: str, body: str = "words " * 40, **fields: object) -> PostRecord:
    post = PostRecord(url=f"http://127.0.0.1:8000{path}", title="A post", body=body)
    return post.replace(**fields)


def _records(data_dir: Path) -> list[tuple[str, str]]:
    """(WARC-Type, WARC-Target-URI) of every record, read back with warcio."""
    found = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                found.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    return found


def _versions(data_dir: Path) -> list[tuple[str, int]]:
    history = History(data_dir / HISTORY_FILE)
    try:
        rows = history.db.execute("SELECT url, version FROM versions ORDER BY url, version")
        return [(str(url), int(version)) for url, version in rows]
    finally:
        history.close()


def _archive(session: ArchiveSession, path: str, posts: list[PostRecord]) -> list[PostRecord]:
    kept = session.capture(exchange(path), posts)
    for post in kept:
        session.commit(post)
    return kept


def test_a_post_dropped_before_the_write_leaves_no_metadata_and_no_version(
    tmp_path: Path,
) -> None:
    counts: Counter[str] = Counter()
    session = _session(tmp_path, counts)
    assert len(_archive(session, "/post", [_post("/post")])) == 1
    # The same post under another URL, and an empty one: neither is archived as a post.
    dropped = [_post("/post/"), _post("/empty", body="", title=None)]
    assert _archive(session, "/post/", dropped) == []
    session.close()
    metadata = [uri for kind, uri in _records(tmp_path) if kind == "metadata"]
    assert metadata == ["urn:blogarchive:item:http://127.0.0.1:8000/post"]
    assert _versions(tmp_path) == [("http://127.0.0.1:8000/post", 1)]
    assert [p.url for p in iter_archive(tmp_path / "items")] == ["http://127.0.0.1:8000/post"]
    assert counts["archive/posts/duplicate"] == counts["archive/posts/empty"] == 1
    # The response of the dropped duplicate is still archived, as a capture of its own.
    assert ("response", "http://127.0.0.1:8000/post/") in _records(tmp_path)


def test_an_unchanged_post_is_a_revisit_with_no_new_version(tmp_path: Path) -> None:
    first = _session(tmp_path)
    [post] = _archive(first, "/post", [_post("/post")])
    first.close()
    counts: Counter[str] = Counter()
    second = _session(tmp_path, counts)
    assert _archive(second, "/post", [_post("/post")]) == []
    changed = _archive(second, "/other", [_post("/other")])
    second.close()
    assert counts == Counter(
        {
            "archive/posts/unchanged": 1,
            "archive/warc/revisits": 1,
            "archive/warc/captures": 1,
            "archive/posts/new": 1,
        }
    )
    kinds = [kind for kind, uri in _records(tmp_path) if (uri or "").endswith(post.url)]
    assert kinds == ["request", "response", "metadata", "request", "revisit"]
    assert [p.version for p in changed] == [1]


def test_a_changed_post_gets_the_next_version(tmp_path: Path) -> None:
    first = _session(tmp_path)
    _archive(first, "/post", [_post("/post")])
    first.close()
    second = _session(tmp_path)
    session_exchange = exchange("/post", body=b"<html>edited</html>")
    [edited] = second.capture(session_exchange, [_post("/post", body="new words " * 40)])
    second.commit(edited)
    second.close()
    assert edited.version == 2
    assert edited.warc is not None
    assert _versions(tmp_path) == [
        ("http://127.0.0.1:8000/post", 1),
        ("http://127.0.0.1:8000/post", 2),
    ]


def test_a_304_is_a_server_not_modified_revisit_of_the_last_capture(tmp_path: Path) -> None:
    first = _session(tmp_path)
    [post] = _archive(first, "/post", [_post("/post")])
    first.close()
    second = _session(tmp_path)
    assert second.conditional_headers(post.url) == {}  # the fixture sends no validators
    not_modified = replace(exchange("/post", body=b""), status=304, reason="Not Modified")
    assert second.capture(not_modified, []) == []
    second.close()
    revisits, dates = [], []
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    dates.append(record.rec_headers.get_header("WARC-Date"))
                if record.rec_type == "revisit":
                    revisits.append(record.rec_headers)
                    # No 304 headers: pywb would replay them as a blank page (README,
                    # "Revisits and replay"); replay takes the original's instead.
                    assert record.http_headers is None
                    assert record.content_stream().read() == b""
    assert len(revisits) == 1
    headers = revisits[0]
    assert headers.get_header("WARC-Profile").endswith("/server-not-modified")
    assert post.warc is not None
    assert headers.get_header("WARC-Refers-To") == post.warc.record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == post.url
    assert headers.get_header("WARC-Refers-To-Date") == dates[0]
    assert headers.get_header("Content-Length") == "0"
    assert headers.get_header("Content-Type") is None
    assert headers.get_header("WARC-Payload-Digest") is None


def test_conditional_headers_only_for_a_post_whose_item_is_stored(tmp_path: Path) -> None:
    session = _session(tmp_path)
    tagged = replace(exchange("/post"), response_headers=[("ETag", '"v1"')])
    [post] = session.capture(tagged, [_post("/post")])
    # Captured but not committed (a crash before the JSONL line): no 304 may hide it.
    assert session.conditional_headers(post.url) == {}
    session.commit(post)
    assert session.conditional_headers(post.url) == {"If-None-Match": '"v1"'}
    session.close()


def test_an_asset_is_asked_conditionally_and_not_again_while_fresh(tmp_path: Path) -> None:
    now = [CLOCK + timedelta(hours=1)]
    session = _session(tmp_path)
    session.clock = lambda: now[0]
    image = replace(exchange("/a.png"), response_headers=[("ETag", '"i1"')])
    session.capture(image, [])  # an asset: no item, ever
    url = "http://127.0.0.1:8000/a.png"
    assert session.conditional_headers(url) == {}
    assert session.conditional_headers(url, asset=True) == {"If-None-Match": '"i1"'}
    week = timedelta(days=7)
    assert session.answered_within(url, week)
    assert not session.answered_within("http://127.0.0.1:8000/b.png", week)
    now[0] = CLOCK + revalidation_interval(url, week) + timedelta(seconds=2)
    assert not session.answered_within(url, week)
    session.close()


def test_unchanged_since_needs_a_stored_item_and_an_older_date(tmp_path: Path) -> None:
    session = _session(tmp_path)
    url = "http://127.0.0.1:8000/post"
    assert not session.unchanged_since(url, "2020-01-01")  # never captured
    _archive(session, "/post", [_post("/post")])
    captured = "2026-01-02"  # the pinned fetch time, 03:04:06 UTC
    assert session.unchanged_since(url, "2026-01-01T00:00:00Z")
    assert not session.unchanged_since(url, captured)  # a bare day counts as its end
    assert not session.unchanged_since(url, "2026-01-02T05:00:00Z")
    assert not session.unchanged_since(url, "not a date")
    session.close()


def test_a_failed_warc_write_archives_nothing_from_then_on(tmp_path: Path) -> None:
    session = _session(tmp_path)
    _archive(session, "/post", [_post("/post")])
    assert session.warc is not None
    size = session.warc.bytes_written
    with _file_size_limit(size + 200), pytest.raises(ArchiveWriteError):
        session.capture(exchange("/big", body=b"x" * 10_000), [_post("/big")])
    assert session.failed
    assert session.capture(exchange("/later"), [_post("/later")]) == []
    session.close()
    assert _versions(tmp_path) == [("http://127.0.0.1:8000/post", 1)]
    assert [p.url for p in iter_archive(tmp_path / "items")] == ["http://127.0.0.1:8000/post"]


def test_the_session_holds_one_history_connection(tmp_path: Path) -> None:
    session = _session(tmp_path)
    frontier = session.frontier("sample")
    frontier.add("http://127.0.0.1:8000/next", "post")
    assert frontier.db is session.history.db
    frontier.close()  # not its connection: the session's stays open
    assert session.history.last_version("http://127.0.0.1:8000/next") is None
    session.close()


def test_capture_writes_the_unit_byte_for_byte(tmp_path: Path) -> None:
    session = _session(tmp_path)
    [post] = session.capture(exchange(), [_post("/2019/03/post.html?x=1")])
    session.close()
    [path] = (tmp_path / "warc").glob("*.warc.gz")
    text = gzip.decompress(path.read_bytes()).decode()
    assert post.warc is not None
    # The writer's own unit, byte for byte, and then one metadata record for the post.
    assert text.startswith(EXPECTED)
    metadata = text[len(EXPECTED) :]
    assert metadata.count("WARC-Type: metadata\r\n") == 1
    assert f"WARC-Concurrent-To: {post.warc.record_id}\r\n" in metadata
    assert '"version": 1' in metadata
    # Same clock, same ids, same bytes: a second run writes the identical file.
    again = tmp_path / "again"
    other = _session(again)
    other.capture(exchange(), [_post("/2019/03/post.html?x=1")])
    other.close()
    [copy] = (again / "warc").glob("*.warc.gz")
    assert gzip.decompress(copy.read_bytes()) == gzip.decompress(path.read_bytes())


class _file_size_limit:
    """RLIMIT_FSIZE: the kernel refuses writes past ``size`` with EFBIG, as a full disk would."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __enter__(self) -> None:
        self.old = resource.getrlimit(resource.RLIMIT_FSIZE)
        self.handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.size, self.old[1]))

    def __exit__(self, *exc: object) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, self.old)
        signal.signal(signal.SIGXFSZ, self.handler)


def test_freshness_skips_only_what_was_asked_for_recently(tmp_path: Path) -> None:
    now = [CLOCK + timedelta(hours=1)]
    session = _session(tmp_path)
    session.clock = lambda: now[0]
    url = "http://127.0.0.1:8000/post"
    _archive(session, "/post", [_post("/post")])  # fetched at CLOCK + 1 s
    week = timedelta(days=7)
    stale = "2020-01-01"
    assert session.freshness(url, stale, revalidate_after=week) is Freshness.SKIP
    assert session.freshness(url, "2027-01-01", revalidate_after=week) is Freshness.FETCH
    assert session.freshness(url, stale, revalidate_after=None) is Freshness.REVALIDATE
    now[0] = CLOCK + revalidation_interval(url, week) + timedelta(seconds=2)
    assert session.freshness(url, stale, revalidate_after=week) is Freshness.REVALIDATE
    # A 304 is an answer: the post is not due again for another interval.
    not_modified = replace(exchange("/post", body=b""), status=304, reason="Not Modified")
    not_modified = replace(not_modified, fetched_at=now[0])
    session.capture(not_modified, [])
    assert session.freshness(url, stale, revalidate_after=week) is Freshness.SKIP
    session.close()


def test_revalidation_intervals_spread_posts_over_crawls() -> None:
    week = timedelta(days=7)
    days = [
        revalidation_interval(f"https://blog.example/{n}", week) / timedelta(days=1)
        for n in range(1000)
    ]
    assert min(days) >= 3.5
    assert max(days) <= 7.0
    # Posts archived together fall due over three and a half days, not all in one crawl.
    per_day = Counter(int(d) for d in days)
    assert max(per_day.values()) < 350
    assert revalidation_interval("https://blog.example/1", week) == revalidation_interval(
        "https://blog.example/1", week
    )
