"""Per-worker data dirs merged by ``reindex --from`` search like one data dir."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import LOOPBACK, run_cli
from tests.sites import BlogServer, get_blog

QUERIES = ["kernel", '"the short version"', "rust OR python", "review", "xiaomi"]


def crawl(url: str, data_dir: Path) -> None:
    result = run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK)
    assert result.returncode == 0, result.stderr


def hits(data_dir: Path, query: str) -> list[str]:
    result = run_cli("search", "--json", "--limit", "500", query, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return sorted(hit["url"] for hit in json.loads(result.stdout))


def test_merged_worker_dirs_give_the_single_dir_results(tmp_path: Path) -> None:
    one, two, single = tmp_path / "worker1", tmp_path / "worker2", tmp_path / "single"
    with BlogServer(get_blog("blogger", posts=40)) as blogger, BlogServer(get_blog("demo")) as demo:
        crawl(blogger.url, one)
        crawl(demo.url, two)
        crawl(blogger.url, single)
        crawl(demo.url, single)
    merged = run_cli("reindex", "--data-dir", str(one), "--from", str(two))
    assert merged.returncode == 0, merged.stderr
    # 40 + 12 posts, and each blog's about page (items of kind page).
    assert merged.stdout.startswith("indexed 54 posts")
    found = 0
    for query in QUERIES:
        assert hits(one, query) == hits(single, query), query
        found += len(hits(single, query))
    assert found > 0


def test_reindex_from_a_missing_dir_is_refused(tmp_path: Path) -> None:
    result = run_cli("reindex", "--data-dir", str(tmp_path), "--from", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no data dir" in result.stderr
