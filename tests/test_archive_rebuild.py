"""Rebuilding the index from WARC metadata records (and ``blogarchive reindex``)."""

from __future__ import annotations

import gzip
import io
import json
import logging
import random
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.datadir import warc_files
from archive.jsonl import JsonlWriter, line_versions
from archive.records import PostRecord, WarcRef
from archive.search.documents import doc_key
from archive.search.index import SearchIndex
from archive.search.rebuild import superseded_keys
from archive.warc.items import iter_items_from_warcs
from crawler.cli import main


def page(record: PostRecord) -> bytes:
    return f"<html><title>{record.title}</title><p>{record.body}</p></html>".encode()


def write_warc(
    path: Path, records: list[PostRecord], *, with_ref: bool = True, junk: bool = False
) -> list[PostRecord]:
    """A WARC with a gzip-encoded response and an item metadata record per post.

    Returns the records with their ``warc`` pointers (as the crawler would write them).
    """
    done: list[PostRecord] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for record in records:
            offset = out.tell()
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
            body = gzip.compress(page(record))
            response = writer.create_warc_record(
                record.url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            )
            writer.write_record(response)
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            ref = WarcRef(
                filename=path.name.removesuffix(".open"), offset=offset, record_id=record_id
            )
            item = record.replace(warc=ref)
            done.append(item)
            _metadata(writer, item if with_ref else record, record_id, "application/json")
            if junk:
                _junk(writer, record.url, record_id)
    return done


def _metadata(writer: WARCWriter, item: PostRecord, concurrent: str, content_type: str) -> None:
    payload = json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")
    _raw_metadata(writer, item.url, concurrent, content_type, payload)


def _raw_metadata(
    writer: WARCWriter, url: str, concurrent: str, content_type: str, payload: bytes
) -> None:
    writer.write_record(
        writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Concurrent-To": concurrent},
        )
    )


def _junk(writer: WARCWriter, url: str, concurrent: str) -> None:
    """Metadata records that are not items: skipped."""
    _raw_metadata(writer, url, concurrent, "application/warc-fields", b"outlink: x\r\n")
    _raw_metadata(writer, url, concurrent, "application/json", b"[1, 2]")
    _raw_metadata(writer, url, concurrent, "application/json", b'{"no": "url"}')
    _raw_metadata(writer, url, concurrent, "application/json; charset=utf-8", b"{broken")


POSTS = [
    PostRecord(
        url=f"https://w.example/{n}",
        site="w",
        title=f"Post number {n}",
        authors=["Zoë Müller"],
        body=f"Body text {n} about zebras." + (" Der Käse." if n == 1 else ""),
        tags=["animals"],
        version=1,
        fetched_at=f"2024-01-0{n + 1}T00:00:00Z",
    )
    for n in range(3)
]


def test_iter_items_reads_metadata_records_in_file_order(tmp_path: Path) -> None:
    first = write_warc(tmp_path / "a-20240101000000-00001-h.warc.gz", POSTS[:2], junk=True)
    second = write_warc(tmp_path / "a-20240102000000-00002-h.warc.gz.open", POSTS[2:])
    assert [p.name for p in warc_files(tmp_path)] == [
        "a-20240101000000-00001-h.warc.gz",
        "a-20240102000000-00002-h.warc.gz.open",
    ]
    assert list(iter_items_from_warcs(tmp_path)) == first + second


def test_missing_warc_pointer_is_taken_from_concurrent_response(tmp_path: Path) -> None:
    written = write_warc(tmp_path / "b.warc.gz", POSTS, with_ref=False)
    items = list(iter_items_from_warcs(tmp_path))
    assert [i.warc for i in items] == [w.warc for w in written]


def test_damaged_warc_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = write_warc(tmp_path / "a-1.warc.gz", POSTS[:1])
    (tmp_path / "b-2.warc.gz").write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    (tmp_path / "notes.txt").write_text("not a WARC")
    with caplog.at_level(logging.WARNING):
        assert list(iter_items_from_warcs(tmp_path)) == good
    assert "b-2.warc.gz" in caplog.text
    assert list(iter_items_from_warcs(tmp_path / "missing")) == []


def test_rebuild_from_warc_metadata(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    write_warc(tmp_path / "warc" / "x.warc.gz", POSTS)
    idx = SearchIndex(tmp_path / "index")
    assert idx.rebuild(iter_items_from_warcs(tmp_path / "warc")) == 3
    assert sorted(h.url for h in idx.search("zebras")) == [p.url for p in POSTS]
    assert [h.url for h in idx.search("kase", author="zoe muller")] == [POSTS[1].url]


# --------------------------------------------------------------------------- the command


def archive_dir(tmp_path: Path, *, jsonl: bool) -> tuple[Path, list[PostRecord]]:
    data = tmp_path / "data"
    (data / "warc").mkdir(parents=True)
    items = write_warc(data / "warc" / "c-20240101000000-00001-h.warc.gz", POSTS)
    if jsonl:
        with JsonlWriter(data / "items") as writer:
            writer.write(items[0].replace(title="Only in the JSONL", body="jsonl yak"))
    return data, items


def test_reindex_falls_back_to_warc_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = archive_dir(tmp_path, jsonl=False)
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.startswith("indexed 3 posts from WARC metadata records")
    assert SearchIndex(data / "index").count() == 3


def test_reindex_prefers_jsonl_unless_from_warc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = archive_dir(tmp_path, jsonl=True)
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.startswith("indexed 1 posts from JSONL")
    assert [h.title for h in SearchIndex(data / "index").search("yak")] == ["Only in the JSONL"]
    assert main(["reindex", "--from-warc", "--data-dir", str(data)]) == 0
    assert "from WARC metadata records" in capsys.readouterr().out
    assert SearchIndex(data / "index").count() == 3


def test_reindex_from_warc_without_warcs_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reindex", "--from-warc", "--data-dir", str(tmp_path)]) == 1
    assert "no WARC files" in capsys.readouterr().err
    assert main(["reindex", "--data-dir", str(tmp_path)]) == 0  # nothing: an empty index
    assert "indexed 0 posts" in capsys.readouterr().out


def test_reindex_replaces_an_index_of_another_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = archive_dir(tmp_path, jsonl=False)
    SearchIndex(data / "index")
    (data / "index" / "blogarchive-index.json").write_text('{"schema_version": 1}')
    assert main(["reindex", "--data-dir", str(data)]) == 0
    captured = capsys.readouterr()
    assert "replacing the index" in captured.err
    assert SearchIndex(data / "index").count() == 3


# --------------------------------------------------------------------------- forecasts


def versioned(url: str, version: int, fetched_at: str, body: str) -> PostRecord:
    return PostRecord(url=url, title="T", body=body, version=version, fetched_at=fetched_at)


STREAM = [
    versioned("https://f.example/a", 1, "2024-01-01", "alpha one"),
    versioned("https://f.example/b", 1, "2024-01-01", "beta one"),
    versioned("https://f.example/a", 2, "2024-02-01", "alpha two"),
    versioned("https://f.example/c", 2, "2024-02-01", "gamma two"),
    versioned("https://f.example/c", 1, "2024-03-01", "gamma one"),  # older, after
    versioned("https://f.example/a", 2, "2024-03-01", "alpha two again"),  # same key
    versioned("https://f.example/b", 2, "2024-04-01", "beta two"),
]


def index_state(idx: SearchIndex) -> tuple[set[tuple[str, int | None]], list[PostRecord]]:
    """The latest version of each URL, and every version's record."""
    latest = {(h.url, h.version) for h in idx.search("", kind=None, limit=1000)}
    every = {h.url for h in idx.search("", kind=None, all_versions=True, limit=1000)}
    return latest, [record for url in sorted(every) for record in idx.versions(url)]


@pytest.mark.parametrize(
    "forecast",
    [
        "exact",
        set(),
        {"1 https://f.example/a", "2 https://f.example/a", "2 https://f.example/b"},  # wrong
        {"9 https://f.example/none", "2 https://f.example/c"},  # the latest of c flagged
    ],
)
def test_rebuild_with_any_forecast_ends_as_without(
    tmp_path: Path, forecast: str | set[str]
) -> None:
    """A forecast of the superseded versions saves indexing them twice; a wrong one
    changes nothing but the time (the wrong flags are put right after the first commit)."""
    plain = SearchIndex(tmp_path / "plain")
    assert plain.rebuild(STREAM) == len(STREAM)
    keys = superseded_keys((r.url, r.version, r.fetched_at) for r in STREAM)
    assert keys == {"1 https://f.example/a", "1 https://f.example/b", "1 https://f.example/c"}
    forecasted = SearchIndex(tmp_path / "forecast")
    assert forecasted.rebuild(STREAM, forecast=keys if forecast == "exact" else forecast) == 7
    assert index_state(forecasted) == index_state(plain)
    latest, records = index_state(plain)
    assert latest == {("https://f.example/a", 2), ("https://f.example/b", 2),
                      ("https://f.example/c", 2)}  # fmt: skip
    assert [r.body for r in records if r.url.endswith("/a")] == ["alpha one", "alpha two again"]


def test_line_versions_reads_what_a_parser_reads(tmp_path: Path) -> None:
    """The forecast's quick reading of JSONL lines agrees with json.loads, whatever the
    body says; lines of another shape are parsed whole; broken ones are skipped."""
    tricky = versioned("https://q.example/é", 3, "2024-05-01T00:00:00+00:00", "x")
    tricky = tricky.replace(body='say "version":9, "fetched_at":"1999" and \\ too')
    with JsonlWriter(tmp_path, prefix="q") as writer:
        writer.write(tricky)
        writer.write(PostRecord(url="https://q.example/none", body="no version"))
    assert writer.path is not None
    with writer.path.open("ab") as out:
        out.write(b'{"fetched_at": "2024", "version": 4, "url": "https://q.example/o"}\n')
        out.write(b'{"url":"https://q.example/\\"quoted","version":5}\n')
        out.write(b"not json\n")
        out.write(b'{"url":"https://q.example/partial","body":"cut')  # a partial last line
    assert list(line_versions(writer.path)) == [
        ("https://q.example/é", 3, "2024-05-01T00:00:00+00:00"),
        ("https://q.example/none", None, None),
        ("https://q.example/o", 4, "2024"),
        ('https://q.example/"quoted', 5, None),
    ]


@pytest.mark.parametrize("seed", range(3))
def test_a_random_stream_ends_with_each_url_s_highest_version_latest(
    tmp_path: Path, seed: int
) -> None:
    """Repeats, older versions after newer ones, any forecast: every version's last record
    is indexed once, and each URL's highest version is its latest."""
    rng = random.Random(seed)
    stream = [
        versioned(
            f"https://r.example/{rng.randrange(6)}",
            rng.randrange(1, 4),
            f"2024-0{rng.randrange(1, 10)}-01",
            f"body {n}",
        )
        for n in range(40)
    ]
    last = {(r.url, r.version): r.body for r in stream}
    expected_latest = {(url, max(v for u, v in last if u == url)) for url, _ in last}
    expected = [(url, version, last[(url, version)]) for url, version in sorted(last)]
    exact = superseded_keys((r.url, r.version, r.fetched_at) for r in stream)
    every = sorted({doc_key(r.url, r.version) for r in stream})
    for name, forecast in [("exact", exact), ("none", set()), ("any", set(rng.sample(every, 5)))]:
        index = SearchIndex(tmp_path / name)
        assert index.rebuild(stream, forecast=forecast) == len(stream)
        latest, records = index_state(index)
        assert latest == expected_latest, name
        assert [(r.url, r.version, r.body) for r in records] == expected, name
