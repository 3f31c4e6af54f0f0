"""archive.jsonl and archive.records: stable bytes, round trip, crash-cut files."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.datadir import jsonl_files
from archive.jsonl import JsonlWriter, iter_archive, iter_jsonl
from archive.records import PostRecord, Rating, WarcRef

CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
POST = PostRecord(
    url="http://127.0.0.1/2019/03/xiaomi.html",
    site="sample",
    title="Why Xiaomi does not sell in France",
    authors=["Hosne", "José"],
    published="2019-03-02T11:53:00+06:00",
    body="First paragraph.\n\nSecond — with ünïcode.",
    rating=Rating(value=4.0, best=5.0, worst=1.0, kind="review", source="microdata"),
    tags=["Mobile", "Xiaomi"],
    platform="blogger",
    word_count=6,
    version=1,
    content_hash="sha1:ABC",
    fetched_at="2026-01-02T03:04:05+00:00",
    warc=WarcRef(filename="sample-1.warc.gz", offset=705, record_id="<urn:uuid:1>", length=374),
)
LINE = (
    '{"url":"http://127.0.0.1/2019/03/xiaomi.html","site":"sample","kind":"post",'
    '"title":"Why Xiaomi does not sell in France","author":"Hosne","authors":["Hosne","José"],'
    '"published":"2019-03-02T11:53:00+06:00","updated":null,'
    '"body":"First paragraph.\\n\\nSecond — with ünïcode.",'
    '"rating":{"value":4.0,"best":5.0,"worst":1.0,"count":null,"normalized":0.75,'
    '"kind":"review","source":"microdata"},"tags":["Mobile","Xiaomi"],"images":[],"platform":"blogger",'
    '"canonical_url":null,"language":null,"word_count":6,"version":1,'
    '"content_hash":"sha1:ABC","fetched_at":"2026-01-02T03:04:05+00:00",'
    '"warc":{"filename":"sample-1.warc.gz","offset":705,"record_id":"<urn:uuid:1>","length":374}}\n'
)


def test_writer_bytes_are_exact(tmp_path: Path) -> None:
    with JsonlWriter(tmp_path, prefix="sample", clock=lambda: CLOCK) as writer:
        writer.write(POST)
    assert writer.path == tmp_path / "sample-20260102030405-00001.jsonl"
    assert writer.path.read_bytes() == LINE.encode("utf-8")


def test_round_trip(tmp_path: Path) -> None:
    with JsonlWriter(tmp_path, prefix="sample", clock=lambda: CLOCK) as writer:
        writer.write(POST)
        writer.write(POST.replace(url="http://127.0.0.1/b", rating=None, warc=None))
    records = list(iter_jsonl(tmp_path / "sample-20260102030405-00001.jsonl"))
    assert records[0] == POST
    assert records[0].author == "Hosne"
    assert records[1].rating is None


def test_files_never_collide(tmp_path: Path) -> None:
    first = JsonlWriter(tmp_path, prefix="s", clock=lambda: CLOCK)
    second = JsonlWriter(tmp_path, prefix="s", clock=lambda: CLOCK)
    first.write(POST)
    second.write(POST)
    first.close()
    second.close()
    assert first.path != second.path


def test_cut_last_line_is_skipped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s-20260102030405-00001.jsonl"
    path.write_bytes(LINE.encode() + LINE.encode()[:50])
    with caplog.at_level(logging.WARNING):
        records = list(iter_jsonl(path))
    assert records == [POST]
    assert "skipping unreadable line" in caplog.text


def test_archive_reads_files_in_time_order(tmp_path: Path) -> None:
    older = PostRecord(url="http://x/a", title="old", body="b")
    newer = PostRecord(url="http://x/a", title="new", body="b")
    (tmp_path / "zzz-20200101000000-00001.jsonl").write_text(
        LINE.replace(POST.url, older.url).replace(POST.title or "", "old"), encoding="utf-8"
    )
    (tmp_path / "aaa-20250101000000-00001.jsonl").write_text(
        LINE.replace(POST.url, newer.url).replace(POST.title or "", "new"), encoding="utf-8"
    )
    assert [p.name[:3] for p in jsonl_files(tmp_path)] == ["zzz", "aaa"]
    assert [r.title for r in iter_archive(tmp_path)] == ["old", "new"]


@pytest.mark.parametrize(
    ("rating", "normalized"),
    [
        (Rating(value=5, best=5, worst=1), 1.0),
        (Rating(value=4.3, best=5, worst=1), 0.825),
        (Rating(value=4.3, best=5, worst=0), 0.86),
        (Rating(value=12, best=10, worst=0), 1.0),
        (Rating(value=3, best=3, worst=3), 0.0),
    ],
)
def test_rating_normalization(rating: Rating, normalized: float) -> None:
    assert rating.normalized == pytest.approx(normalized)


def test_content_hash_follows_content_only() -> None:
    moved = POST.replace(url="http://elsewhere/x", fetched_at="2030-01-01", warc=None)
    assert moved.compute_content_hash() == POST.compute_content_hash()
    edited = POST.replace(body=POST.body + " Update: fixed.")
    assert edited.compute_content_hash() != POST.compute_content_hash()
    assert POST.compute_content_hash().startswith("sha1:")


def test_record_needs_url() -> None:
    with pytest.raises(TypeError, match="url"):
        PostRecord.from_dict({"title": "x"})


def test_failed_write_leaves_no_partial_line(tmp_path: Path) -> None:
    from tests.test_archive_warc import FailingFile

    writer = JsonlWriter(tmp_path, prefix="s", clock=lambda: CLOCK)
    writer.write(POST)
    assert writer._file is not None
    good = writer._file.tell()
    failing = FailingFile(limit=good + 30)
    failing.buffer = bytearray(LINE.encode())
    failing.pos = good
    writer._file.close()
    writer._file = failing  # type: ignore[assignment]
    with pytest.raises(OSError, match="No space"):
        writer.write(POST)
    assert bytes(failing.buffer) == LINE.encode()


LATER = datetime(2026, 1, 3, 3, 4, 5, tzinfo=UTC)


def _rolling(directory: Path) -> JsonlWriter:
    return JsonlWriter(directory, prefix="sample", clock=lambda: LATER, append=True)


def test_a_rolling_file_takes_the_next_run_s_lines_where_they_were(tmp_path: Path) -> None:
    with JsonlWriter(tmp_path, prefix="sample", clock=lambda: CLOCK) as first:
        first.write(POST)
    with JsonlWriter(tmp_path, prefix="sample_other", clock=lambda: CLOCK) as other:
        other.write(POST)  # another prefix: never appended to
    with _rolling(tmp_path) as second:
        offset = second.write(POST.replace(version=2))
        assert second.path is not None
        assert second.path.with_name(second.path.name + ".open").exists()  # locked, live
    assert second.path == first.path
    assert offset == len(LINE.encode("utf-8"))
    assert first.path.read_bytes().startswith(LINE.encode("utf-8"))  # the first run's bytes
    assert [r.version for r in iter_jsonl(first.path)] == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sample-20260102030405-00001.jsonl",
        "sample_other-20260102030405-00001.jsonl",
    ]


@pytest.mark.parametrize("why", ["full", "partial line", "held", "off"])
def test_a_new_file_when_the_newest_cannot_take_lines(tmp_path: Path, why: str) -> None:
    with JsonlWriter(tmp_path, prefix="sample", clock=lambda: CLOCK) as first:
        first.write(POST)
    assert first.path is not None
    if why == "partial line":  # what a crash leaves for repair to cut, not to build on
        with first.path.open("ab") as cut:
            cut.write(b'{"url":')
    held = JsonlWriter(tmp_path, prefix="sample", clock=lambda: CLOCK, append=True)
    if why == "held":  # another crawl of the site appends to it right now
        held.write(POST)
    limit = len(LINE) if why == "full" else 10**9
    second = JsonlWriter(
        tmp_path, prefix="sample", clock=lambda: LATER, append=why != "off", max_size=limit
    )
    second.write(POST)
    second.close()
    held.close()
    assert second.path == tmp_path / "sample-20260103030405-00001.jsonl"
    assert first.path.read_bytes().startswith(LINE.encode("utf-8"))
