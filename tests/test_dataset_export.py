"""``blogarchive export --jsonl/--parquet``: one row per post version, read back with the
standard library and pyarrow, on a real archive (WARC, JSONL, index)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archive.dataset import COLUMNS
from crawler.cli import main
from tests.conftest import ROOT
from tests.test_search_kinds import PAGE_URL, POST_URL, kinds_archive


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return kinds_archive(tmp_path / "data")


def _lines(data: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in (data / "items").glob("*.jsonl"))


def test_parquet_has_one_row_per_jsonl_line_and_reads_back(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "posts.parquet"
    args = ["export", "--parquet", str(out), "--kind", "all", "--data-dir", str(data)]
    assert main(args) == 0
    table = pq.read_table(out)
    assert table.num_rows == _lines(data) == 3
    assert table.column_names == [name for name, _ in COLUMNS]
    rows = table.to_pylist()
    assert [(r["url"], r["version"]) for r in rows] == [(POST_URL, 1), (PAGE_URL, 1), (PAGE_URL, 2)]
    assert rows[0]["authors"] == ["Ana Lima"]
    assert rows[0]["warc_filename"] is not None


def test_jsonl_rows_take_the_search_filters(data: Path, tmp_path: Path) -> None:
    def export(*extra: str) -> list[dict[str, object]]:
        out = tmp_path / "rows.jsonl"
        assert (
            main(["export", "--jsonl", str(out), "--force", *extra, "--data-dir", str(data)]) == 0
        )
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    assert [r["url"] for r in export()] == [POST_URL]  # posts only, by default
    assert len(export("--kind", "all")) == 3
    assert [r["url"] for r in export("--since", "2024-01-05", "--until", "2024-01-05")] == [
        POST_URL
    ]
    assert export("--since", "2024-01-06") == []
    assert export("--site", "elsewhere") == []


def test_parquet_without_pyarrow_names_the_extra(data: Path, tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None; from crawler.cli import main; "
        "sys.exit(main(['export', '--parquet', sys.argv[1], '--data-dir', sys.argv[2]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "x.parquet"), str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "blogarchive export: Parquet needs pyarrow: pip install 'blogarchive[parquet]'"
    )
