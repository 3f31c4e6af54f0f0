"""Bad input anywhere gets one clear line on stderr and a non-zero exit, never a traceback.

Each case runs the real ``blogarchive`` command in a subprocess.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

SITE = '[[sites]]\nname = "x"\nurl = "https://x.example/"\n'


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (and no traceback)."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (SITE + 'max_pages = "ten"\n', "max_pages: 'ten' must be a positive integer"),
        (SITE + 'colour = "red"\n', "unknown key 'colour'"),
        (SITE + 'schedule = "61 * * * *"\n', "schedule: '61 * * * *'"),
        (SITE + 'schedule = "sometimes"\n', "schedule: 'sometimes'"),
        (SITE.replace("https://x.example/", "ftp://x.example/"), "is not an http(s) URL"),
        (SITE.replace("https://x.example/", "not a url"), "is not an http(s) URL"),
        ("[[sites]\nname =", "invalid TOML"),
        ("sites = 3\n", "'sites' must be an array of tables"),
        (SITE.replace("[[sites]]", "[[site]]"), "unknown table or key 'site'"),
        (SITE + "delay = inf\n", "delay: inf must be a number of seconds from 0 to 3600"),
        (SITE.replace("x.example/", "x.example:99999/"), "the port must be 1 to 65535"),
        (SITE + 'schedule = "every 99999999999d"\n', "must be at most 3650 days"),
    ],
)
def test_bad_config(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(config, encoding="utf-8")
    result = run_cli("crawl", "x", "--config", str(path), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith(f"blogarchive crawl: {path}: ")
    assert message in line


def test_config_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    result = run_cli("crawl", "--all", "--config", str(path), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "cannot read config" in one_line(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "--url", "ftp://x.example/"], "is not an http(s) URL"),
        (["crawl", "--url", "javascript:alert(1)"], "is not an http(s) URL"),
        (["crawl", "--url", "http://[oops/"], "Invalid IPv6 URL"),
        (["crawl", "--url", "http://x.example/", "-s", "NOEQUALS"], "-s expects NAME=VALUE"),
        (
            ["crawl", "--url", "http://x.example/", "-s", "DOWNLOAD_TIMEOUT=abc"],
            "expected a number",
        ),
        (["crawl", "--url", "http://x.example/", "-s", "ROBOTSTXT_OBEY=maybe"], "true or false"),
        (["crawl", "--url", "http://x.example/", "-s", "LOG_LEVEL=LOUD"], "expected one of"),
        (["crawl", "--url", "http://x.example/", "--max-pages", "0"], "must be positive"),
        (["search", '"unclosed'], 'bad query: unterminated quoted phrase: add the closing "'),
        (["search", "AND OR"], "bad query: AND needs a term before it"),
        (["search", "(" * 250 + "a" + ")" * 250], "bad query: the query nests more than 32 deep"),
        (["search", "x " + "-" * 500 + "a"], "bad query: the query nests more than 32 deep"),
        (["search", "--limit", "99999999999", "q"], "--limit must be 1 to 10000"),
    ],
)
def test_bad_arguments_and_search_syntax(tmp_path: Path, args: list[str], message: str) -> None:
    if args[0] == "search":
        assert run_cli("reindex", "--data-dir", str(tmp_path)).returncode == 0  # an empty index
    result = run_cli(*args, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert message in one_line(result)


def test_verify_of_a_missing_data_dir_is_not_ok(tmp_path: Path) -> None:
    result = run_cli("verify", "--data-dir", str(tmp_path / "mistyped"))
    assert result.returncode == 1
    assert one_line(result) == f"blogarchive verify: no archive at {tmp_path / 'mistyped'}"


@pytest.mark.parametrize(
    "args",
    [["frobnicate"], [], ["crawl", "--max-pages", "abc"], ["search", "--limit", "x", "q"]],
)
def test_argparse_errors_are_usage_lines(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: " in result.stderr.splitlines()[-1]


def _files(tmp_path: Path) -> dict[str, bytes]:
    noise = random.Random(7)  # seeded: the same bytes every run, no rare pattern by chance
    return {
        "x.bin": noise.randbytes(5000),
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise.randbytes(2000),
        "notes.txt": b"plain notes, no markup at all\n",
        "archive.tar.gz": gzip.compress(b"not a warc at all" * 100),
        "fake.warc.gz": noise.randbytes(3000),
    }


def test_extract_refuses_files_that_are_neither_warc_nor_html(tmp_path: Path) -> None:
    paths = []
    for name, data in _files(tmp_path).items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    result = run_cli("extract", *paths)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"blogarchive extract: {p}: not a WARC or HTML file" for p in paths]


def test_extract_reports_a_damaged_warc_in_one_line(tmp_path: Path) -> None:
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "damaged.warc.gz"
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=True)
    starts = []
    for n in range(3):
        starts.append(stream.tell())
        writer.write_record(writer.create_warc_record(f"urn:x:{n}", "resource", payload=None))
    data = stream.getvalue()
    # The second record's gzip member replaced by junk, whatever the members' sizes (their
    # ids and dates differ each run: a fixed byte range sometimes missed every header).
    path.write_bytes(data[: starts[1]] + b"garbage!" * 38 + data[starts[2] :])
    result = run_cli("extract", str(path))
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"blogarchive extract: {path}: damaged WARC near byte ")
    assert line.isprintable()


def test_extract_empty_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    result = run_cli("extract", str(tmp_path / "empty.html"), str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].endswith("empty.html: empty file")
    assert "Is a directory" in result.stderr.splitlines()[1]


def _read_only_crawl(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """A crawl whose data dir is on a read-only filesystem (root ignores file modes)."""
    cli = [sys.executable, "-m", "crawler.cli", "crawl", "--url", "http://127.0.0.1:9/"]
    cli += ["--data-dir", str(data_dir)]
    if os.geteuid() != 0:
        data_dir.chmod(0o555)
        return subprocess.run(cli, capture_output=True, text=True, cwd=ROOT, check=False)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("root without unshare: cannot make a read-only directory")
    mount = f'mount -t tmpfs -o ro tmpfs {data_dir} && exec "$@"'
    command = [unshare, "-m", "sh", "-c", mount, "sh", *cli]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if "mount:" in result.stderr or "unshare:" in result.stderr:
        pytest.skip(f"cannot mount a read-only filesystem here: {result.stderr.strip()}")
    return result


def test_read_only_data_dir_fails_before_crawling(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    try:
        result = _read_only_crawl(data_dir)
    finally:
        data_dir.chmod(0o755)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"blogarchive crawl: cannot write to the data dir {data_dir}: ")
    assert line.endswith(("Read-only file system", "Permission denied"))


def test_damage_is_named_not_printed(tmp_path: Path) -> None:
    """A damaged record: show --raw says so in one line (no raw bytes); export --wacz leaves
    out the damaged WARC, names it and exits 1, and still packages the readable ones."""
    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", str(data)).returncode == 0
    [warc] = list((data / "warc").glob("*.warc.gz"))
    damaged = warc.with_name(warc.name.replace("-00001-", "-00002-"))
    shutil.copy(warc, damaged)
    item = json.loads((next((data / "items").glob("*.jsonl"))).read_text().splitlines()[3])
    spoiled = bytearray(damaged.read_bytes())
    # The record's gzip header, spoiled: whatever the page's bytes, no reader gets past it.
    start = item["warc"]["offset"]
    spoiled[start : start + 10] = bytes(b ^ 0x55 for b in spoiled[start : start + 10])
    # …ended by a newline: a first line of deflate bytes with four spaces in it would
    # otherwise pass for an ARC record header (1 run in 3).
    spoiled[start + 10] = ord("\n")
    damaged.write_bytes(bytes(spoiled))
    warc.unlink()  # the item now points into the damaged copy only
    damaged.rename(warc)
    shown = run_cli("show", item["url"], "--raw", "--data-dir", str(data))
    assert shown.returncode == 1
    assert one_line(shown).endswith("the record is damaged (Unknown archive format)")
    assert shown.stdout == ""
    good = run_cli("demo", "--data-dir", str(tmp_path / "good"))
    assert good.returncode == 0
    for path in (tmp_path / "good" / "warc").glob("*.warc.gz"):
        shutil.copy(path, data / "warc" / path.name)
    out = tmp_path / "archive.wacz"
    exported = run_cli("export", "--wacz", str(out), "--data-dir", str(data))
    assert exported.returncode == 1
    assert one_line(exported) == (
        f"blogarchive export: left out a damaged WARC: {warc.name}: Unknown archive format"
    )
    assert "1 WARC files" in exported.stdout
    with zipfile.ZipFile(out) as wacz:
        assert [n for n in wacz.namelist() if n.startswith("archive/")] == [
            f"archive/{p.name}" for p in (tmp_path / "good" / "warc").glob("*.warc.gz")
        ]
