"""Ctrl-C during a polite crawl: said at once, and no wait for requests queued behind the delay.

With a 600 s delay between requests, Scrapy's graceful stop would wait ten minutes for the
request queued behind it; the crawl must end with the downloads under way, and the next
crawl must fetch what the stop dropped (it stayed in the resume frontier).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import LOOPBACK, ROOT, read_items, run_cli
from tests.sites import BlogServer, get_blog

# Far longer than any stop may take: reaching it means the stop waited for the delay.
PATIENCE = 120


def test_ctrl_c_says_stopping_and_drops_what_waits_for_the_delay(tmp_path: Path) -> None:
    blog = get_blog("blogger", posts=20)
    data_dir = tmp_path / "data"
    polite = ["-s", "DOWNLOAD_DELAY=600", "-s", "AUTOTHROTTLE_ENABLED=False"]
    with BlogServer(blog) as server:
        argv = ["crawl", "--url", server.url, "--data-dir", str(data_dir), *polite]
        with subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ) as crawl:
            _wait_for_the_first_page(data_dir)
            crawl.send_signal(signal.SIGINT)
            out, err = crawl.communicate(timeout=PATIENCE)
        assert crawl.returncode == 1, out + err  # interrupted: not a finished crawl
        assert "stopping… (the downloads under way finish; again to stop at once)" in err
        assert "Traceback" not in err
        assert "(shutdown)" in out
        assert ", 0 errors," in out  # the dropped requests are not failures
        resumed = run_cli("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        expected = {entry["url"] for entry in blog.expected(server.url)}
    assert {item["url"] for item in read_items(data_dir)} == expected


def _wait_for_the_first_page(data_dir: Path) -> None:
    """Until the home page is archived: the next requests then wait out the delay."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if any((data_dir / "warc").glob("*.warc.gz.open")) and _history_has_a_run(data_dir):
            time.sleep(1)  # the home page's links are queued by now
            return
        time.sleep(0.1)
    raise AssertionError("the crawl never started")


def _history_has_a_run(data_dir: Path) -> bool:
    runs = run_cli("runs", "--data-dir", str(data_dir))
    return runs.returncode == 0 and "running" in runs.stdout
