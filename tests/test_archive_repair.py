"""archive.repair and archive.verify on real files: truncation, crash repair, split captures."""

from __future__ import annotations

import fcntl
import gzip
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from archive.jsonl import JsonlWriter
from archive.records import PostRecord
from archive.repair import repair_data_dir, repair_jsonl, repair_warc
from archive.verify import verify_data_dir
from archive.warc.members import scan
from archive.warc.writer import OPEN_SUFFIX, HttpExchange, WarcFileWriter
from tests.support.checkers import assert_warcs_pass_checkers


def exchange(n: int, size: int = 3000) -> HttpExchange:
    body = (
        f"<html><body><p>post {n}</p>" + "lorem ipsum " * (size // 12) + "</body></html>"
    ).encode()
    return HttpExchange(
        url=f"http://127.0.0.1:8000/2020/01/post-{n}.html",
        response_headers=[("Content-Type", "text/html")],
        body=body,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def write_archive(data_dir: Path, captures: int = 5) -> tuple[WarcFileWriter, list[PostRecord]]:
    """A WARC with posts and their metadata, and the JSONL pointing at it; left open."""
    writer = WarcFileWriter(data_dir / "warc", prefix="t")
    items = []
    for n in range(captures):
        ex = exchange(n)
        post = PostRecord(url=ex.url, title=f"post {n}", body=f"post {n}")
        written = writer.write_capture(
            ex,
            metadata=lambda ref, post=post: [json.dumps(post.replace(warc=ref).to_dict()).encode()],
        )
        items.append(post.replace(warc=written.response))
    return writer, items


def write_items(data_dir: Path, items: list[PostRecord]) -> Path:
    with JsonlWriter(data_dir / "items", prefix="t") as jsonl:
        for item in items:
            jsonl.write(item)
    assert jsonl.path is not None
    return jsonl.path


def test_clean_archive_verifies(tmp_path: Path) -> None:
    writer, items = write_archive(tmp_path)
    writer.close()
    write_items(tmp_path, items)
    report = verify_data_dir(tmp_path)
    assert report.problems == []
    assert (report.warc_files, report.jsonl_files, report.items) == (1, 1, 5)
    assert report.records == 1 + 5 * 3


def test_truncation_that_warcio_check_misses_is_caught(tmp_path: Path) -> None:
    writer, _ = write_archive(tmp_path)
    writer.close()
    path = writer.closed_files[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 700])  # cut inside the last records
    warcio = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert warcio.returncode == 0  # webrecorder/warcio#138: the cut goes unnoticed there
    report = verify_data_dir(tmp_path)
    assert any("truncated" in p for p in report.problems)


def test_corrupt_digest_is_reported(tmp_path: Path) -> None:
    writer, _ = write_archive(tmp_path, captures=1)
    writer.close()
    path = writer.closed_files[0]
    # Rewrite the response body uncompressed-equivalent: flip one byte of a record payload.
    scanned = scan(path)

    members = [path.read_bytes()[m.offset : m.offset + m.length] for m in scanned.members]
    response = gzip.decompress(members[2]).replace(b"post 0", b"post X")
    members[2] = gzip.compress(response)
    path.write_bytes(b"".join(members))
    problems = verify_data_dir(tmp_path).problems
    assert any("digest" in p.lower() for p in problems), problems


def test_split_capture_is_reported(tmp_path: Path) -> None:
    writer, _ = write_archive(tmp_path, captures=2)
    writer.close()
    path = writer.closed_files[0]
    members = scan(path).members
    data = path.read_bytes()
    response_of_first = members[2]
    path.write_bytes(
        data[: response_of_first.offset]
        + data[response_of_first.offset + response_of_first.length :]
    )
    problems = verify_data_dir(tmp_path).problems
    assert any("not in this file" in p for p in problems), problems


def test_repair_cuts_a_crashed_file_back_to_its_last_capture(tmp_path: Path) -> None:
    writer, items = write_archive(tmp_path)
    name = writer.current_name or ""
    open_path = tmp_path / "warc" / (name + OPEN_SUFFIX)
    crashed = tmp_path / "crashed.warc.gz.open"
    shutil.copy(open_path, crashed)
    writer.close()
    for path in (tmp_path / "warc").iterdir():
        path.unlink()
    data = crashed.read_bytes()
    members = scan(crashed).members
    last_request = members[-3]  # request, response, metadata of the last capture
    cut_inside = last_request.offset + last_request.length + 50  # mid-response
    target = tmp_path / "warc" / (name + OPEN_SUFFIX)
    target.write_bytes(data[:cut_inside])
    write_items(tmp_path, items[:4])

    before = verify_data_dir(tmp_path).problems
    assert any("still .open" in p for p in before)
    assert any("truncated" in p for p in before)
    [repair] = repair_data_dir(tmp_path)
    assert repair.path.name == name
    assert repair.kept == last_request.offset  # the orphan request went too
    assert verify_data_dir(tmp_path).problems == []
    assert not target.exists()
    tail = scan(repair.path).members[-1]
    assert tail.header("WARC-Type") == "metadata"
    assert tail.header("WARC-Payload-Digest") is None  # WARC 1.1: metadata has no payload
    assert b"truncated-at" in _record_body(repair.path, tail.offset)
    assert_warcs_pass_checkers([repair.path])


def _record_body(path: Path, offset: int) -> bytes:

    with path.open("rb") as stream:
        stream.seek(offset)
        return gzip.GzipFile(fileobj=stream).read(2000)


def test_repair_leaves_a_live_file_alone(tmp_path: Path) -> None:
    writer, _ = write_archive(tmp_path, captures=1)
    assert repair_data_dir(tmp_path) == []  # the writer holds the lock
    open_files = list((tmp_path / "warc").glob("*.open"))
    assert len(open_files) == 1
    writer.close()


def test_repair_never_zero_fills(tmp_path: Path) -> None:
    writer, _ = write_archive(tmp_path, captures=3)
    path = tmp_path / "warc" / ((writer.current_name or "") + OPEN_SUFFIX)
    copy = tmp_path / "copy.warc.gz.open"
    shutil.copy(path, copy)
    writer.close()
    data = copy.read_bytes()
    copy.write_bytes(data[:-10])
    repaired = repair_warc(copy)
    assert repaired is not None
    kept = repaired.path.read_bytes()[: repaired.kept]
    assert kept == data[: repaired.kept]
    assert b"\0" * 64 not in kept


def test_jsonl_partial_line_is_cut(tmp_path: Path) -> None:
    items_dir = tmp_path / "items"
    items_dir.mkdir()
    path = items_dir / "t-20260101000000-00001.jsonl"
    path.write_bytes(b'{"url":"http://a/1"}\n{"url":"http://a/2"}\n{"url":"htt')
    [repair] = repair_jsonl(items_dir)
    assert repair.dropped == len(b'{"url":"htt')
    assert path.read_bytes().endswith(b'"http://a/2"}\n')


def test_jsonl_repair_skips_a_locked_file(tmp_path: Path) -> None:
    items_dir = tmp_path / "items"
    items_dir.mkdir()
    path = items_dir / "t.jsonl"
    path.write_bytes(b'{"url":"http://a/1"}\n{"url"')
    with path.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert repair_jsonl(items_dir) == []
    assert len(repair_jsonl(items_dir)) == 1


def test_jsonl_pointer_to_the_wrong_record_is_reported(tmp_path: Path) -> None:
    writer, items = write_archive(tmp_path, captures=2)
    writer.close()
    swapped = [items[0].replace(warc=items[1].warc), items[1]]
    write_items(tmp_path, swapped)
    problems = verify_data_dir(tmp_path).problems
    assert any("of another URL" in p for p in problems), problems
