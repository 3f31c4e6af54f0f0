"""Other tools' files: ``extract`` and ``verify`` on WARC and ARC files from warcio and FastWARC.

The files are the projects' own test files (tests/fixtures/thirdparty/README.md). A WARC
gzipped as a whole and an uncompressed WARC cut short are made from them here, by gzip and
by slicing, as such files come to be.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli

THIRDPARTY = ROOT / "tests" / "fixtures" / "thirdparty"
WARCIO = THIRDPARTY / "warcio"
FASTWARC = THIRDPARTY / "fastwarc"
EXAMPLE_URL = "http://example.com/"
EXAMPLE_RESPONSE_ID = "<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"
EXAMPLE_REQUEST_ID = "<urn:uuid:a9c5c23a-0221-11e7-8fe3-0242ac120007>"
EXAMPLE_DATE = "2017-03-06T04:02:06Z"
ARC_DATE = "2014-02-16T05:02:21Z"  # the ARC record's archive date, 20140216050221


def extract(path: Path) -> tuple[list[dict[str, Any]], list[str], int]:
    """Items, stderr lines and exit status of ``blogarchive extract --all PATH``."""
    result = run_cli("extract", "--all", str(path))
    assert "Traceback" not in result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    return items, result.stderr.splitlines(), result.returncode


def record_head(data: bytes, kind: bytes) -> tuple[int, int]:
    """Start and header end of the first record of that WARC-Type in an uncompressed WARC."""
    start = data.rindex(b"WARC/1.0\r\n", 0, data.index(b"WARC-Type: " + kind + b"\r\n"))
    return start, data.index(b"\r\n\r\n", start)


def whole_gzip(tmp_path: Path) -> Path:
    """warcio's example.warc gzipped as one stream, as ``gzip file.warc`` leaves it."""
    path = tmp_path / "example.warc.gz"
    path.write_bytes(gzip.compress((WARCIO / "example.warc").read_bytes(), mtime=0))
    return path


@pytest.mark.parametrize("name", ["example.arc", "example.arc.gz"])
def test_arc_files_give_their_url_and_date(name: str) -> None:
    [item], errors, status = extract(WARCIO / name)
    assert (status, errors) == (0, [])
    assert (item["url"], item["fetched_at"], item["title"]) == (
        EXAMPLE_URL,
        ARC_DATE,
        "Example Domain",
    )
    assert item["warc"]["filename"] == name
    assert item["warc"]["record_id"] is None  # ARC records have no ids


@pytest.mark.parametrize("name", ["example.warc.gz", "example.warc", "whole"])
def test_warcs_compressed_per_record_as_a_whole_or_not(name: str, tmp_path: Path) -> None:
    path = whole_gzip(tmp_path) if name == "whole" else WARCIO / name
    [item], errors, status = extract(path)
    assert (status, errors) == (0, [])
    assert (item["url"], item["fetched_at"]) == (EXAMPLE_URL, EXAMPLE_DATE)
    assert item["warc"]["record_id"] == EXAMPLE_RESPONSE_ID
    assert item["title"] == "Example Domain"


def test_a_whole_gzip_offset_is_in_the_decompressed_stream(tmp_path: Path) -> None:
    [plain], _, _ = extract(WARCIO / "example.warc")
    [whole], _, _ = extract(whole_gzip(tmp_path))
    assert whole["warc"]["offset"] == plain["warc"]["offset"]


def test_a_clipped_gzip_warc_prints_what_it_read_then_where_it_ends() -> None:
    path = FASTWARC / "clipped.warc.gz"
    items, errors, status = extract(path)
    assert status == 1
    [item] = items
    assert item["url"].startswith("http://www.houstonpress.com/music/a-humble-chance-the-rapper")
    size = path.stat().st_size
    assert errors == [
        f"blogarchive extract: {path}: ends early at byte {size}: the record at byte 0 is cut short"
    ]


@pytest.mark.parametrize("compression", ["none", "whole"])
def test_a_cut_warc_prints_what_it_read_then_where_it_ends(
    compression: str, tmp_path: Path
) -> None:
    data = (WARCIO / "example.warc").read_bytes()
    start, _ = record_head(data, b"revisit")
    path = tmp_path / "cut.warc"
    if compression == "whole":
        # A whole-file gzip cut mid-stream: everything the cut leaves still decompresses.
        path = tmp_path / "cut.warc.gz"
        whole = gzip.compress(data, mtime=0)
        path.write_bytes(whole[: len(whole) - 40])
    else:
        path.write_bytes(data[: start + 200])  # inside the revisit, after the response
    items, errors, status = extract(path)
    assert status == 1
    assert [i["url"] for i in items] == [EXAMPLE_URL]
    [line] = errors
    assert line.startswith(f"blogarchive extract: {path}: ends early at byte {path.stat().st_size}")


def test_records_of_types_that_need_no_target_uri_are_read_quietly() -> None:
    """FastWARC's records of type ``unknown`` have none, and WARC 1.1 asks none of them."""
    items, errors, status = extract(FASTWARC / "block-sized-records.warc.gz")
    assert (items, errors, status) == ([], [], 0)


def test_a_response_without_a_target_uri_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    """warcio itself fails on an HTTP record without one (it parses by the URI's scheme)."""
    data = (WARCIO / "example.warc").read_bytes()
    start, end = record_head(data, b"response")
    uri = data.index(b"WARC-Target-URI: ", start, end)
    path = tmp_path / "no-uri.warc"
    path.write_bytes(data[:uri] + data[data.index(b"\n", uri) + 1 :])
    items, errors, status = extract(path)
    assert (items, status) == ([], 0)
    note = f"skipped the response record at byte {start}: it has no WARC-Target-URI"
    assert errors == [f"blogarchive extract: {path}: {note}"]


def verify(files: dict[str, Path], tmp_path: Path) -> tuple[list[str], int]:
    """``blogarchive verify`` on a data dir holding these files as its WARCs."""
    warc_dir = tmp_path / "data" / "warc"
    warc_dir.mkdir(parents=True)
    for name, source in files.items():
        shutil.copyfile(source, warc_dir / name)
    result = run_cli("verify", "--data-dir", str(tmp_path / "data"))
    assert "Traceback" not in result.stderr + result.stdout
    return result.stdout.splitlines(), result.returncode


def test_verify_reads_warcs_compressed_per_record_as_a_whole_or_not(tmp_path: Path) -> None:
    files = {
        "a.warc.gz": WARCIO / "example.warc.gz",
        "b.warc": WARCIO / "example.warc",
        "c.warc.gz": whole_gzip(tmp_path),
    }
    lines, status = verify(files, tmp_path)
    assert (lines, status) == (["verify: ok: 3 WARC files, 18 records, 0 JSONL files, 0 items"], 0)


def test_verify_names_a_cut_file_and_a_response_without_a_target_uri(tmp_path: Path) -> None:
    data = (WARCIO / "example.warc").read_bytes()
    cut, no_uri = tmp_path / "cut.warc", tmp_path / "no-uri.warc"
    cut.write_bytes(data[:3000])
    start, end = record_head(data, b"response")
    uri = data.index(b"WARC-Target-URI: ", start, end)
    no_uri.write_bytes(data[:uri] + data[data.index(b"\n", uri) + 1 :])
    files = {
        "a.warc": no_uri,
        "b.warc": cut,
        "c.warc.gz": FASTWARC / "clipped.warc.gz",
        "d.warc.gz": FASTWARC / "block-sized-records.warc.gz",
    }
    lines, status = verify(files, tmp_path)
    assert status == 1
    assert lines[:-1] == [
        f"PROBLEM a.warc: skipped the response record at byte {start}: it has no WARC-Target-URI",
        f"PROBLEM a.warc: request {EXAMPLE_REQUEST_ID} refers to {EXAMPLE_RESPONSE_ID}, "
        + "which is not in this file",  # the response it goes with was skipped
        "PROBLEM b.warc: ends early at byte 3000: the record at byte 2566 is cut short",
        "PROBLEM c.warc.gz: truncated: incomplete or corrupt gzip member at byte 0 of 18184",
        "PROBLEM d.warc.gz: does not start with a warcinfo record",
    ]
