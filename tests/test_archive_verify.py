"""verify on real archives written by archive.session: incremental, full, parallel, and its
fast check against warcio's reading; rolling WARCs reopened, appended to, crashed, repaired."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.records import PostRecord
from archive.repair import repair_data_dir
from archive.session import ArchiveSession
from archive.verify import verify_data_dir
from archive.verify_files import check_warc
from archive.warc.cdxj import index_path
from archive.warc.members import scan
from archive.warc.quickcheck import quick_check
from archive.warc.records import HttpExchange
from archive.warc.writer import OPEN_SUFFIX
from tests.conftest import run_cli
from tests.support.checkers import assert_warcs_pass_checkers, cdxj_index

START = datetime(2026, 3, 1, tzinfo=UTC)


def crawl(
    data_dir: Path, site: str, numbers: range, day: int = 0, noise: int = 0, **warc: object
) -> list[Path]:
    """One crawl's worth of posts through a real session (``noise``: random bytes in each
    page, which do not compress); returns the WARCs it closed."""
    moment = START + timedelta(days=day)
    session = ArchiveSession(data_dir, clock=lambda: moment)
    writer = session.open_warc(prefix=site, fsync="close", clock=lambda: moment, **warc)
    session.open_jsonl(prefix=site, clock=lambda: moment)
    try:
        for n in numbers:
            url = f"http://{site}.example/post-{n}.html"
            body = f"post {n} on day {day} " + "words " * 400
            page = f"<html><title>{n}</title><p>{body}{os.urandom(noise).hex()}</p></html>".encode()
            exchange = HttpExchange(
                url=url,
                response_headers=[("Content-Type", "text/html")],
                body=page,
                fetched_at=moment,
            )
            post = PostRecord(
                url=url, site=site, title=f"post {n}", body=body, fetched_at=moment.isoformat()
            )
            for kept in session.capture(exchange, [post]):
                session.commit(kept)
    finally:
        session.close()
    return writer.closed_files


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two sites, two crawls each, WARCs rotating at 20 kB: a dozen files."""
    for day in (0, 1):
        for site in ("alpha", "beta"):
            crawl(tmp_path, site, range(day * 10, day * 10 + 10), day, max_size=20_000)
    return tmp_path


def warcs(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "warc").glob("*.warc.gz"))


def test_a_second_verify_reads_only_what_changed(archive: Path) -> None:
    first = verify_data_dir(archive)
    assert first.ok, first.problems
    assert first.unchanged == 0
    assert first.items == 40
    files = first.warc_files + first.jsonl_files
    again = verify_data_dir(archive)
    assert again.ok
    assert again.unchanged == files
    assert (again.records, again.items) == (first.records, first.items)
    # A new crawl: only its files are read.
    crawl(archive, "alpha", range(100, 103), 2)
    third = verify_data_dir(archive)
    assert third.ok, third.problems
    assert third.unchanged == files
    assert third.items == 43
    # A changed file (bytes appended: size, time and tail differ) is read again.
    with warcs(archive)[0].open("ab") as out:
        out.write(b"not a gzip member")
    fourth = verify_data_dir(archive)
    assert {p.split(":")[0] for p in fourth.problems} == {warcs(archive)[0].name}
    assert fourth.unchanged == third.warc_files + third.jsonl_files - 1


def test_the_command_says_what_it_did_not_read_again(archive: Path) -> None:
    first = run_cli("verify", "--data-dir", str(archive))
    assert first.returncode == 0, first.stdout
    assert "unchanged" not in first.stdout
    again = run_cli("verify", "--data-dir", str(archive))
    files = len(warcs(archive)) + len(list((archive / "items").glob("*.jsonl")))
    assert again.stdout.strip().endswith(f"({files} files unchanged since checked)")
    assert again.stdout.split(" (")[0] == first.stdout.strip()  # the same counts
    full = run_cli("verify", "--full", "--data-dir", str(archive))
    assert full.stdout == first.stdout


def test_full_finds_what_the_fingerprint_cannot(tmp_path: Path) -> None:
    """A byte flipped far from the end, size and time kept: only --full reads it."""
    [path] = crawl(tmp_path, "alpha", range(30), noise=8000)
    assert path.stat().st_size > 3 * 64 * 1024  # the flip is outside the tail's digest
    assert verify_data_dir(tmp_path).ok
    stat = path.stat()
    member = scan(path).members[2]  # the first capture's response
    data = bytearray(path.read_bytes())
    data[member.offset + member.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert verify_data_dir(tmp_path).ok  # remembered: size, time and tail unchanged
    problems = verify_data_dir(tmp_path, full=True).problems
    assert problems
    assert all(p.startswith(path.name) for p in problems if ".jsonl:" not in p), problems


def test_workers_find_the_same_as_one_process(archive: Path) -> None:
    victims = warcs(archive)[1:3]
    for path in victims:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) - 300])
    one = verify_data_dir(archive, full=True, workers=1)
    two = verify_data_dir(archive, full=True, workers=2)
    assert one.problems == two.problems
    assert {p.split(":")[0] for p in one.problems if ".jsonl:" not in p} == {
        p.name for p in victims
    }
    assert (one.records, one.items) == (two.records, two.items)


def test_the_fast_check_proves_only_what_warcio_agrees_with(archive: Path) -> None:
    path = warcs(archive)[0]
    with path.open("rb") as stream:
        records = sum(1 for _ in ArchiveIterator(stream))
    assert quick_check(path) == records == check_warc(path).count
    members = scan(path).members
    data = path.read_bytes()
    variants = {
        "cut": data[:-10],
        "digest": _respoil(data, members[2].offset, members[2].length),
        "no warcinfo": data[members[1].offset :],
        "one member": gzip.compress(gzip.decompress(data)),  # a file gzipped as a whole
    }
    for name, content in variants.items():
        path.write_bytes(content)
        assert quick_check(path) is None, name
    path.write_bytes(variants["one member"])
    assert check_warc(path).problems == []  # warcio reads it; it is valid WARC


def _respoil(data: bytes, offset: int, length: int) -> bytes:
    record = gzip.decompress(data[offset : offset + length]).replace(b"words", b"WORDS", 1)
    return data[:offset] + gzip.compress(record) + data[offset + length :]


# -- rolling WARCs ------------------------------------------------------------------------


def test_recrawls_append_to_the_sites_newest_warc(tmp_path: Path) -> None:
    [first] = crawl(tmp_path, "alpha", range(3), 0, append=True)
    assert crawl(tmp_path, "alpha", range(3, 5), 1, append=True) == [first]
    assert crawl(tmp_path, "alpha", range(5, 6), 2, append=True) == [first]
    [other] = crawl(tmp_path, "beta", range(2), 2, append=True)  # its own file
    assert warcs(tmp_path) == sorted([first, other])
    with first.open("rb") as stream:
        kinds = [r.rec_type for r in ArchiveIterator(stream)]
    assert kinds.count("warcinfo") == 3
    assert kinds.count("response") == 6
    assert_warcs_pass_checkers([first])
    whole = cdxj_index(first)
    assert index_path(first).read_text() == whole  # extended at each close, as made whole
    report = verify_data_dir(tmp_path)
    assert report.ok, report.problems
    assert report.items == 8


def test_a_full_warc_is_not_reopened(tmp_path: Path) -> None:
    [first] = crawl(tmp_path, "alpha", range(3), 0, append=True)
    limit = first.stat().st_size  # reached: the next crawl starts a file
    [second] = crawl(tmp_path, "alpha", range(3, 4), 1, append=True, max_size=limit)
    assert second != first
    assert first.stat().st_size == limit


def test_a_crash_while_appending_is_cut_back_to_the_last_whole_capture(tmp_path: Path) -> None:
    [first] = crawl(tmp_path, "alpha", range(3), 0, append=True)
    before = first.read_bytes()
    crawl(tmp_path, "alpha", range(3, 6), 1, append=True)
    appended = first.read_bytes()
    members = [m for m in scan(first).members if m.offset >= len(before)]
    last_request = members[-3]  # request, response and metadata of the appended run's last
    crashed = first.with_name(first.name + OPEN_SUFFIX)
    crashed.write_bytes(appended[: last_request.offset + last_request.length + 40])
    first.unlink()
    assert not verify_data_dir(tmp_path).ok
    [repair] = repair_data_dir(tmp_path)
    assert repair.path == first
    assert repair.kept == last_request.offset
    assert first.read_bytes().startswith(appended[: last_request.offset])
    with first.open("rb") as stream:
        kinds = [r.rec_type for r in ArchiveIterator(stream)]
    assert kinds.count("warcinfo") == 2
    assert kinds.count("response") == 5  # the cut capture went; the first run's stayed
    assert_warcs_pass_checkers([first])
    items = [
        json.loads(line)
        for path in (tmp_path / "items").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(items) == 6
    # The line of the cut capture points at nothing now (a crawl killed there would not
    # have written it); everything else holds.
    [problem] = verify_data_dir(tmp_path).problems
    assert ".jsonl:3: warc pointer" in problem
    shutil.rmtree(tmp_path / "items")
    assert verify_data_dir(tmp_path).ok
    # Repair indexed the file again: its index is current and whole.
    assert index_path(first).stat().st_mtime_ns >= first.stat().st_mtime_ns
