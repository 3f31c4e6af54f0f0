"""crawler.extensions.runlog: every crawl repairs what dead crawls left and records its run.

Real crawls in subprocesses against fixture blogs on loopback: ``scrapy crawl blog`` run
from the project directory (its ``scrapy.cfg``) and ``blogarchive crawl`` alike. A crawl
is killed with SIGKILL once it has written posts, which leaves its WARC and JSONL files
``.open`` and its run ``running``; the next crawl, of either kind, repairs the files at
its start and the dead run shows as ``interrupted``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.config import site_name_for
from tests.conftest import LOOPBACK, ROOT, read_items, run_cli
from tests.sites import BlogServer, get_blog

POSTS = 150


@pytest.fixture(scope="module")
def big_blog() -> Iterator[tuple[str, set[str]]]:
    """A blog long enough to be killed mid-crawl: its URL and its posts' URLs."""
    blog = get_blog("wordpress", posts=POSTS)
    with BlogServer(blog) as server:
        yield server.url, {entry["url"] for entry in blog.expected(server.url)}


def scrapy_crawl(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl blog`` from the project directory, as the README shows it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "blog",
            "-a",
            f"url={url}",
            "-s",
            f"ARCHIVE_DIR={data_dir}",
            *LOOPBACK,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def blogarchive_crawl(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK)


def runs(data_dir: Path) -> list[dict[str, Any]]:
    """``blogarchive runs --json``, oldest first."""
    result = run_cli("runs", "--json", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return sorted(found, key=lambda run: run["id"])


def live_lines(data_dir: Path) -> int:
    """JSONL lines written so far, ``.open`` files included."""
    folder = data_dir / "items"
    if not folder.is_dir():
        return 0
    return sum(path.read_bytes().count(b"\n") for path in folder.iterdir())


def crawl_and_kill(url: str, data_dir: Path, lines: int = 5) -> None:
    """Start ``blogarchive crawl``; SIGKILL it once it has written ``lines`` posts."""
    argv = ["crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK]
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while live_lines(data_dir) < lines and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl wrote no posts"
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the crawl ended before it was killed"


CRAWLS = {"scrapy crawl": scrapy_crawl, "blogarchive crawl": blogarchive_crawl}


@pytest.mark.parametrize("command", list(CRAWLS))
def test_the_next_crawl_repairs_a_killed_crawl_and_records_both_runs(
    big_blog: tuple[str, set[str]], tmp_path: Path, command: str
) -> None:
    url, expected = big_blog
    data_dir = tmp_path / "data"
    crawl_and_kill(url, data_dir)
    assert list((data_dir / "warc").glob("*.warc.gz.open")), "the kill left no open WARC"
    assert list((data_dir / "items").glob("*.jsonl.open")), "the kill left no open JSONL"

    result = CRAWLS[command](url, data_dir)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "repaired crashed WARC" in result.stderr
    assert not list(data_dir.rglob("*.open")), "a crashed file was left unrepaired"
    verify = run_cli("verify", "--data-dir", str(data_dir))
    assert verify.returncode == 0, verify.stdout
    urls = Counter(item["url"] for item in read_items(data_dir))
    assert set(urls) == expected
    assert max(urls.values()) == 1
    killed, finished = runs(data_dir)
    assert (killed["status"], killed["reason"]) == ("interrupted", "process died"), killed
    assert (finished["status"], finished["reason"]) == ("ok", "finished"), finished
    assert finished["ended"] is not None
    assert {killed["trigger"], finished["trigger"]} == {"manual"}
    assert finished["pages"] > 0
    assert finished["new_posts"] > 0


def test_a_multi_site_crawl_records_one_run_per_site(tmp_path: Path) -> None:
    """Two blogs in one ``blogarchive crawl`` process: two runs, with trigger and worker."""
    blogs = [get_blog("blogger", posts=8, seed=seed) for seed in (1, 2)]
    servers = [BlogServer(blog, host=f"127.0.0.{2 + n}").start() for n, blog in enumerate(blogs)]
    expected = sorted(site_name_for(server.url) for server in servers)
    try:
        urls = [arg for server in servers for arg in ("--url", server.url)]
        result = run_cli(
            "crawl",
            *urls,
            "--trigger",
            "worker",
            "--data-dir",
            str(tmp_path),
            *LOOPBACK,
            "-s",
            "ARCHIVE_WORKER=w7",
        )
    finally:
        for server in servers:
            server.stop()
    assert result.returncode == 0, result.stderr
    found = runs(tmp_path)
    assert sorted(run["site"] for run in found) == expected, found
    assert [name.split("-")[0] for name in expected] == ["127.0.0.2", "127.0.0.3"]
    assert {(run["status"], run["trigger"], run["worker"]) for run in found} == {
        ("ok", "worker", "w7")
    }
    assert len({run["pid"] for run in found}) == 1
    # Every post and the blog's about page (an item of kind page) is new.
    assert [run["new_posts"] for run in found] == [len(blog.truth) + 1 for blog in blogs]


def test_the_run_log_can_be_turned_off(tmp_path: Path) -> None:
    with BlogServer(get_blog("demo")) as server:
        result = run_cli(
            "crawl",
            "--url",
            server.url,
            "--max-pages",
            "2",
            "--data-dir",
            str(tmp_path),
            *LOOPBACK,
            "-s",
            "ARCHIVE_RUNLOG_ENABLED=False",
        )
    assert result.returncode == 0, result.stderr
    assert runs(tmp_path) == []


def test_a_second_crawl_of_a_site_being_crawled_is_refused(
    big_blog: tuple[str, set[str]], tmp_path: Path
) -> None:
    url, _ = big_blog
    data_dir = tmp_path / "data"
    slow = ["-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    argv = ["crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK, *slow]
    first = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = json.loads(run_cli("runs", "--json", "--data-dir", str(data_dir)).stdout)
            if runs and runs[0]["status"] == "running":
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first crawl never started its run")
        second = run_cli(*argv)
        assert second.returncode == 1, second.stdout + second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert f"is being crawled already (run 1, pid {first.pid} on " in lines[0]
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(60)
    runs = json.loads(run_cli("runs", "--json", "--data-dir", str(data_dir)).stdout)
    assert [r["status"] for r in runs] == ["interrupted"]  # the refused crawl made no run
