"""archive.warc.writer: byte-exact records with a pinned clock and ids, rotation, rollback."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc.cdxj import index_path
from archive.warc.records import PROFILE_NOT_MODIFIED
from archive.warc.writer import HttpExchange, RevisitOf, WarcFileWriter
from tests.support.checkers import assert_warcs_pass_checkers

EXPECTED = (
    "WARC/1.1\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    "WARC-Date: 2026-01-02T03:04:05Z\r\n"
    "WARC-Filename: sample-20260102030405-00001-testhost.warc.gz\r\n"
    "WARC-Type: warcinfo\r\n"
    "WARC-Block-Digest: sha1:LTKJEALOTV5SEAFTOAPGDDN65QEKTSQD\r\n"
    "Content-Type: application/warc-fields\r\n"
    "Content-Length: 199\r\n"
    "\r\n"
    "software: blogarchive/0.1.0 (warcio)\r\n"
    "format: WARC File Format 1.1\r\n"
    "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
    "hostname: testhost\r\n"
    "isPartOf: sample\r\n"
    "\r\n\r\n"
    "WARC/1.1\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
    "WARC-Date: 2026-01-02T03:04:06.250000Z\r\n"
    "WARC-Concurrent-To: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
    "WARC-Type: request\r\n"
    "WARC-Target-URI: http://127.0.0.1:8000/2019/03/post.html?x=1\r\n"
    "WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    "WARC-Block-Digest: sha1:US6JVAK64IG36QQ5TDS6DIC7BG2BN7LC\r\n"
    "Content-Type: application/http; msgtype=request\r\n"
    "Content-Length: 113\r\n"
    "\r\n"
    "GET /2019/03/post.html?x=1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8000\r\n"
    "User-Agent: blogarchive/0.1\r\n"
    "Accept-Encoding: gzip\r\n"
    "\r\n"
    "\r\n\r\n"
    "WARC/1.1\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
    "WARC-Date: 2026-01-02T03:04:06.250000Z\r\n"
    "WARC-IP-Address: 127.0.0.1\r\n"
    "WARC-Type: response\r\n"
    "WARC-Target-URI: http://127.0.0.1:8000/2019/03/post.html?x=1\r\n"
    "WARC-Payload-Digest: sha1:JEXJR23VJNMISKZO2PJJFAYRPVKZAOS5\r\n"
    "WARC-Block-Digest: sha1:VUDHCNAMCSBBNODBOCFQY65YTA4GBMSF\r\n"
    "Content-Type: application/http; msgtype=response\r\n"
    "Content-Length: 117\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "X-Archive-Orig-Transfer-Encoding: chunked\r\n"
    "\r\n"
    "<html>hi</html>"
    "\r\n\r\n"
)
CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def exchange(
    path: str = "/2019/03/post.html?x=1", body: bytes = b"<html>hi</html>"
) -> HttpExchange:
    return HttpExchange(
        url=f"http://127.0.0.1:8000{path}",
        request_headers=[("User-Agent", "blogarchive/0.1"), ("Accept-Encoding", "gzip")],
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=body,
        ip_address="127.0.0.1",
        fetched_at=datetime(2026, 1, 2, 3, 4, 6, 250000, tzinfo=UTC),
    )


def ids() -> Iterator[str]:
    n = 0
    while True:
        yield f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"
        n += 1


def make_writer(directory: Path, **kwargs: object) -> WarcFileWriter:
    counter = ids()
    return WarcFileWriter(
        directory,
        prefix="sample",
        hostname="testhost",
        clock=lambda: CLOCK,
        record_id=lambda: next(counter),
        warcinfo={"isPartOf": "sample"},
        **kwargs,  # type: ignore[arg-type]
    )


def test_records_are_byte_exact(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        ref = writer.write_exchange(exchange())
    path = tmp_path / "sample-20260102030405-00001-testhost.warc.gz"
    assert writer.closed_files == [path]
    assert gzip.decompress(path.read_bytes()).decode() == EXPECTED
    assert ref.filename == path.name
    assert ref.record_id == "<urn:uuid:00000000-0000-0000-0000-000000000000>"


def test_ref_points_at_the_response_record(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        writer.write_exchange(exchange("/a"))
        ref = writer.write_exchange(exchange("/b", body=b"second"))
    data = (tmp_path / ref.filename).read_bytes()
    assert ref.length is not None
    member = data[ref.offset : ref.offset + ref.length]
    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == "http://127.0.0.1:8000/b"
    assert record.content_stream().read() == b"second"


def test_one_gzip_member_per_record_and_warcio_reads_all(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        for n in range(3):
            writer.write_exchange(exchange(f"/p{n}"))
    path = writer.closed_files[0]
    with path.open("rb") as stream:
        types = [r.rec_type for r in ArchiveIterator(stream)]
    assert types == ["warcinfo"] + ["request", "response"] * 3
    assert_warcs_pass_checkers([path])


def test_file_is_open_while_writing(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(exchange())
    assert [p.name for p in tmp_path.iterdir()] == [
        "sample-20260102030405-00001-testhost.warc.gz.open"
    ]
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sample-20260102030405-00001-testhost.warc.gz",
        "sample-20260102030405-00001-testhost.warc.gz.cdxj",  # its CDXJ index, at close
    ]


def test_rotation_keeps_pairs_together_and_starts_with_warcinfo(tmp_path: Path) -> None:
    with make_writer(tmp_path, max_size=1500) as writer:
        refs = [writer.write_exchange(exchange(f"/p{n}", body=b"x" * 700)) for n in range(6)]
    assert len(writer.closed_files) > 1
    assert len({r.filename for r in refs}) == len(writer.closed_files)
    for path in writer.closed_files:
        with path.open("rb") as stream:
            records = list(ArchiveIterator(stream))
        assert records[0].rec_type == "warcinfo"
        assert records[0].rec_headers.get_header("WARC-Filename") == path.name
        pairs = records[1:]
        assert len(pairs) % 2 == 0
        for request, response in zip(pairs[::2], pairs[1::2], strict=True):
            assert request.rec_headers.get_header("WARC-Concurrent-To") == (
                response.rec_headers.get_header("WARC-Record-ID")
            )


def test_two_writers_never_share_a_file(tmp_path: Path) -> None:
    with make_writer(tmp_path) as first, make_writer(tmp_path) as second:
        a = first.write_exchange(exchange())
        b = second.write_exchange(exchange())
    assert a.filename != b.filename


class FailingFile(io.RawIOBase):
    """A raw file whose writes fail after ``limit`` bytes, like a full disk."""

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.pos = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]
        room = self.limit - self.pos
        if room <= 0:
            raise OSError(28, "No space left on device")
        part = chunk[:room]
        self.buffer[self.pos : self.pos + len(part)] = part
        self.pos += len(part)
        return len(part)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset
        return offset

    def tell(self) -> int:
        return self.pos

    def truncate(self, size: int | None = None) -> int:
        del self.buffer[self.pos if size is None else size :]
        return len(self.buffer)


def test_full_disk_rolls_back_the_partial_capture(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(exchange("/ok"))
    assert writer._file is not None
    good = writer._file.tell()
    failing = FailingFile(limit=good + 40)
    failing.buffer = bytearray(b"\0" * good)
    failing.pos = good
    writer._file.close()
    writer._file = failing  # type: ignore[assignment]
    with pytest.raises(OSError, match="No space"):
        writer.write_exchange(exchange("/too-much", body=b"y" * 5000))
    assert len(failing.buffer) == good


def test_invalid_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_size"):
        WarcFileWriter(tmp_path, max_size=0)
    with pytest.raises(ValueError, match="gzip_level"):
        WarcFileWriter(tmp_path, gzip_level=12)


def test_metadata_records_have_a_block_digest_and_no_payload_digest(tmp_path: Path) -> None:
    """WARC 1.1 gives a metadata record no payload, so no WARC-Payload-Digest either."""
    with make_writer(tmp_path) as writer:
        writer.write_capture(exchange(), metadata=lambda ref: [b'{"url": "x"}'])
    path = writer.closed_files[0]
    with path.open("rb") as stream:
        [metadata] = [r.rec_headers for r in ArchiveIterator(stream) if r.rec_type == "metadata"]
    assert metadata.get_header("WARC-Payload-Digest") is None
    assert metadata.get_header("WARC-Block-Digest").startswith("sha1:")
    assert_warcs_pass_checkers([path])


def cdxj_indexer(warc: Path) -> str:
    """cdxj-indexer's sorted index of the file, from a process of its own."""
    command = [sys.executable, "-m", "cdxj_indexer.main", "--sort", str(warc)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def varied(writer: WarcFileWriter, day: int) -> None:
    """Captures of every kind the index holds: pages with metadata, a 404, an image, a
    revisit with the original's digest and one of a 304 (no digest)."""
    writer.write_capture(exchange(f"/{day}/a.html"), metadata=lambda ref: [b'{"n": 1}'])
    writer.write_capture(replace(exchange(f"/{day}/gone"), status=404, reason="Not Found"))
    image = exchange(f"/{day}/i.png", body=b"\x89PNG")
    writer.write_capture(replace(image, response_headers=[("Content-Type", "image/png")]))
    original = RevisitOf(
        record_id="<urn:uuid:x>", target_uri="http://127.0.0.1:8000/a", date="2026-01-01T00:00:00Z"
    )
    same = replace(original, payload_digest="sha1:" + "A" * 32)
    writer.write_capture(exchange(f"/{day}/same.html"), revisit_of=same)
    old = replace(exchange(f"/{day}/old.html", body=b""), status=304, reason="Not Modified")
    writer.write_capture(old, revisit_of=replace(original, profile=PROFILE_NOT_MODIFIED))


def test_the_index_made_while_writing_is_cdxj_indexers(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        varied(writer, 1)
    [warc] = writer.closed_files
    assert index_path(warc).read_text() == cdxj_indexer(warc)
    assert index_path(warc).read_text().count("\n") == 6  # 5 responses/revisits + metadata


def test_a_reopened_file_is_indexed_whole(tmp_path: Path) -> None:
    """Appended to with its index current, the new lines are merged into it; with its
    index stale (a crash before the index was written), the whole file is read."""
    with make_writer(tmp_path, append=True) as writer:
        varied(writer, 1)
    [warc] = writer.closed_files
    with make_writer(tmp_path, append=True) as writer:
        varied(writer, 2)
    assert writer.reopened == [warc]
    assert index_path(warc).read_text() == cdxj_indexer(warc)
    index_path(warc).unlink()
    with make_writer(tmp_path, append=True) as writer:
        varied(writer, 3)
    assert writer.reopened == [warc]
    assert index_path(warc).read_text() == cdxj_indexer(warc)
    assert index_path(warc).read_text().count("\n") == 18


def test_an_index_spilled_to_temporary_files_is_cdxj_indexers(tmp_path: Path) -> None:
    """Lines past the buffer go, sorted, to temporary files and are merged at close:
    the same index, in memory that does not grow with the file."""
    with make_writer(tmp_path, append=True, index_buffer_lines=4) as writer:
        for day in range(1, 5):
            varied(writer, day)
        assert len(writer._runs) == 6  # 24 lines, 4 at a time
        assert writer._lines is not None
        assert len(writer._lines) < 4
    [warc] = writer.closed_files
    assert writer._runs == []
    assert index_path(warc).read_text() == cdxj_indexer(warc)
    assert index_path(warc).read_text().count("\n") == 24
    with make_writer(tmp_path, append=True, index_buffer_lines=4) as writer:
        varied(writer, 5)  # appended: merged into the index written above
    assert writer.reopened == [warc]
    assert index_path(warc).read_text() == cdxj_indexer(warc)


def test_an_index_that_cannot_spill_is_read_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A full temporary disk costs the writer its buffered lines, not the index."""

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archive.warc.writer.tempfile.TemporaryFile", full)
    with make_writer(tmp_path, index_buffer_lines=4) as writer:
        varied(writer, 1)
        varied(writer, 2)
        assert writer._lines is None
    [warc] = writer.closed_files
    assert "could not buffer the index" in caplog.text
    assert index_path(warc).read_text() == cdxj_indexer(warc)
    assert index_path(warc).read_text().count("\n") == 12
