"""``blogarchive search`` and ``blogarchive show`` on a small archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.jsonl import JsonlWriter, iter_archive
from archive.records import PostRecord, Rating
from archive.search.index import SearchIndex
from crawler.cli import main
from tests.test_archive_rebuild import page, write_warc

ROOT = Path(__file__).resolve().parents[1]
HIGHLIGHT = "\x1b[1;33m"
WARC_NAME = "t-20240101000000-00001-h.warc.gz"


def post(n: int, **fields: Any) -> PostRecord:
    base: dict[str, Any] = {
        "url": f"https://blog.example/{n}",
        "site": "blog",
        "title": f"Post {n}",
        "authors": ["Ana Lima"],
        "published": f"202{n}-01-01",
        "body": f"Shared words and number{n}.",
        "version": 1,
        "fetched_at": "2024-01-01T00:00:00Z",
        "language": "en",
    }
    return PostRecord(**{**base, **fields})


POSTS = [
    post(0, tags=["Go"], rating=Rating(value=2, best=5, worst=1), language="fr"),
    post(1, tags=["Rust"], rating=Rating(value=5, best=5, worst=1), authors=["Bob Smith"]),
    post(2, tags=["Rust", "Async"], site="other", title="Tokio internals explained"),
]
V2 = POSTS[1].replace(version=2, fetched_at="2024-03-01T00:00:00Z", body="Rewritten words.")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """An archive: a WARC with the responses, the JSONL and the index (POSTS, then V2)."""
    (tmp_path / "warc").mkdir()
    items = write_warc(tmp_path / "warc" / WARC_NAME, [*POSTS, V2])
    with JsonlWriter(tmp_path / "items") as writer:
        for item in items:
            writer.write(item)
    index = SearchIndex(tmp_path / "index")
    index.add(items[:3])
    index.add(items[3:])
    return tmp_path


def search(data: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["search", "--json", *args, "--data-dir", str(data)]) == 0
    hits: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return hits


def urls(hits: list[dict[str, Any]]) -> list[str]:
    return sorted(h["url"] for h in hits)


U0, U1, U2 = (p.url for p in POSTS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], [U0, U1, U2]),
        (["shared"], [U0, U2]),  # post 1's latest version no longer says it
        (["shared", "--all-versions"], [U0, U1, U2]),
        (["--site", "other"], [U2]),
        (["--author", "BOB SMITH"], [U1]),
        (["--tag", "rust"], [U1, U2]),
        (["--tag", "rust", "--tag", "async"], [U2]),
        (["--lang", "fr"], [U0]),
        (["--lang", "EN"], [U1, U2]),
        (["--min-rating", "4/5"], [U1]),
        (["--max-rating", "0.5"], [U0]),
        (["--min-rating", "0", "--max-rating", "1"], [U0, U1]),
        (["--since", "2021-01-01"], [U1, U2]),
        (["--until", "2021-01-01"], [U0, U1]),
        (["--since", "2021-01-01", "--until", "2021-12-31"], [U1]),
        (['"tokio internals"'], [U2]),
        (["words -number0"], [U1, U2]),
        (["number0 OR number2"], [U0, U2]),
        (["numb*", "--limit", "1"], [U2]),
    ],
)
def test_search_filters(
    data: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: list[str]
) -> None:
    assert urls(search(data, capsys, *args)) == expected


def test_json_hits_and_sort(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hits = search(data, capsys, "words", "--sort", "date")
    assert [h["url"] for h in hits] == [U2, U1, U0]
    assert list(hits[0]) == [
        "url", "title", "author", "published", "rating", "site", "kind", "snippet", "score",
        "warc", "version",
    ]  # fmt: skip
    assert hits[1]["version"] == 2
    assert hits[1]["snippet"] == "Rewritten <mark>words</mark>."
    assert hits[1]["warc"]["filename"] == WARC_NAME
    (hit,) = search(data, capsys, '"tokio internals"')
    assert hit["title"] == "Tokio internals explained"
    assert hit["score"] > 0


def test_terminal_output_and_colour(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["search", "number2", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tokio internals explained\n  Ana Lima · 2022-01-01 · other\n")
    assert "\x1b" not in out  # not a terminal
    assert main(["search", "number2", "--color", "always", "--data-dir", str(data)]) == 0
    assert f"{HIGHLIGHT}number2" in capsys.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["search", "number2", "--data-dir", str(data)]) == 0
    assert "\x1b" not in capsys.readouterr().out
    assert main(["search", "nothing-like-it", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == "no matches\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"unterminated'], "bad query: unterminated quoted phrase"),
        (["(rust"], "bad query: missing ')'"),
        (["rust", "OR"], "bad query: OR needs a term"),
        (["!!!"], "bad query: the query '!!!' has no searchable words"),
        (["x*"], "too short"),
        (["--min-rating", "4.5"], "invalid rating bound"),
        (["--max-rating", "3/0"], "denominator"),
        (["--since", "yesterday"], "invalid since date"),
        (["--tag", " "], "tag filter is empty"),
        (["--limit", "0"], "--limit must be 1 to 10000"),
    ],
)
def test_bad_queries_and_options_exit_2(
    data: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["search", *args, "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("blogarchive search: ")
    assert message in err
    assert err.count("\n") == 1


def run_cli(*args: str, data: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "BLOGARCHIVE_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_bad_query_in_a_process_has_no_traceback(data: Path) -> None:
    result = run_cli("search", "--", 'rust "borrow', data=data)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        'blogarchive search: bad query: unterminated quoted phrase: add the closing " '
        "(at position 6)\n"
    )


def test_search_command_does_not_import_scrapy(data: Path) -> None:
    code = (
        "import sys; from crawler.cli import main; main(['search', 'words']); "
        "sys.exit(3 if any(m.split('.')[0] in ('scrapy', 'twisted') for m in sys.modules) "
        "else 0)"
    )
    env = {**os.environ, "BLOGARCHIVE_DATA_DIR": str(data)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- show


def test_show_prints_item_versions_and_body(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", U1, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Post 1\n\nURL:       https://blog.example/1\nSite:      blog\n")
    assert "Authors:   Bob Smith\n" in out
    assert "Rating:    5/5 (normalized 1)\n" in out
    assert "Version:   2\n" in out
    assert "Versions (2):\n  v1    2024-01-01T00:00:00Z" in out
    assert f"  v2    2024-03-01T00:00:00Z        {WARC_NAME} @ " in out
    assert out.endswith("  <- shown\n\nRewritten words.\n")


def test_show_json_and_version(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", U1, "--json", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["body"] == "Rewritten words."
    assert main(["show", U1, "--json", "--version", "1", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["body"] == "Shared words and number1."
    assert main(["show", U1, "--version", "7", "--data-dir", str(data)]) == 1
    assert "has no version 7 (versions: 1, 2)" in capsys.readouterr().err


def test_show_unknown_url_and_slash_variant(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "https://blog.example/nope", "--data-dir", str(data)]) == 1
    assert "is not in the archive" in capsys.readouterr().err
    assert main(["show", U2 + "/", "--json", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["url"] == U2


def test_show_reads_the_jsonl_without_an_index(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for child in (data / "index").iterdir():
        child.unlink()
    (data / "index").rmdir()
    assert main(["show", U1, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Versions (2):" in out
    assert out.endswith("Rewritten words.\n")


def test_show_raw_prints_the_response_from_the_warc(
    data: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["show", U2, "--raw", "--data-dir", str(data)]) == 0
    out = capsysbinary.readouterr().out
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 200 OK"
    assert b"Content-Type: text/html; charset=utf-8" in head
    assert body == page(POSTS[2])  # the gzip Content-Encoding is undone
    assert main(["show", U1, "--raw", "--version", "1", "--data-dir", str(data)]) == 0
    assert capsysbinary.readouterr().out.endswith(page(POSTS[1]))


def test_show_raw_reads_an_open_warc(
    data: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    warc = data / "warc" / WARC_NAME
    warc.rename(warc.with_name(WARC_NAME + ".open"))
    assert main(["show", U0, "--raw", "--data-dir", str(data)]) == 0
    assert capsysbinary.readouterr().out.endswith(page(POSTS[0]))


def test_show_raw_reports_a_damaged_record_in_one_line(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ref,) = [item.warc for item in iter_archive(data / "items") if item.url == U2]
    assert ref is not None
    warc = data / "warc" / WARC_NAME
    raw = bytearray(warc.read_bytes())
    # A gzip member header, then junk: warcio raises its own ArchiveLoadFailed or zlib error.
    raw[ref.offset : ref.offset + 64] = b"\x1f\x8b\x08\x00" + bytes(range(60))
    warc.write_bytes(bytes(raw))
    assert main(["show", U2, "--raw", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"blogarchive show: cannot read {WARC_NAME} at offset {ref.offset}: ")
    assert err.count("\n") == 1


def test_show_raw_errors(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warc = data / "warc" / WARC_NAME
    raw = warc.read_bytes()
    warc.write_bytes(raw[:10])  # the offsets now point past the end
    assert main(["show", U2, "--raw", "--data-dir", str(data)]) == 1
    assert f"cannot read {WARC_NAME} at offset" in capsys.readouterr().err
    warc.unlink()
    assert main(["show", U2, "--raw", "--data-dir", str(data)]) == 1
    assert "cannot read" in capsys.readouterr().err
    with JsonlWriter(data / "items") as writer:
        writer.write(PostRecord(url="https://blog.example/nowarc", title="x"))
    # Written beside a crawl, not by one: the catalog learns of it from `reindex`.
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert main(["show", "https://blog.example/nowarc", "--raw", "--data-dir", str(data)]) == 1
    assert "has no WARC record" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["search", "show", "reindex"])
def test_help_documents_the_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--data-dir" in out
    expected = {
        "search": ["--tag", "--lang", "--max-rating", "--sort", "--all-versions", "--color"],
        "show": ["--raw", "--json", "--version"],
        "reindex": ["--from-warc"],
    }[command]
    assert all(option in out for option in expected)
