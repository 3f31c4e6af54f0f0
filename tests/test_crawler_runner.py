"""crawler.runner: how a crawl stopped or broken before its engine started is recorded.

Each crawl is a real ``blogarchive crawl`` process against a fixture blog on 127.0.0.1.
The moment of the signal is made deterministic, never timed:

- after the reactor started: Scrapy's scheduler reads ``JOBDIR/requests.queue/active.json``
  while it opens the spider, before the engine starts. Here that file is a FIFO, so the
  crawl blocks in the read until the test has signalled it and written the state;
- before the reactor started: the crawl process signals itself right after it built its
  ``CrawlerProcess`` (a subclass swapped in by a ``python -c`` wrapper).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.datadir import HISTORY_FILE
from archive.state.runs import Run, RunLog
from crawler.extensions.runlog import FORCED_STOP, STOPPED_BEFORE_START
from crawler.runner import CrawlResult
from tests.conftest import LOOPBACK, ROOT, run_cli
from tests.sites import BlogServer, get_blog

SIGNALS = [signal.SIGINT, signal.SIGTERM]

# `blogarchive crawl`, with a process that signals itself once built (before the reactor).
SELF_SIGNALLED = """
import signal, sys
import crawler.runner
from crawler.cli import main

SIGNUM = signal.Signals[sys.argv.pop(1)]

class SignalledProcess(crawler.runner.CrawlerProcess):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        signal.raise_signal(SIGNUM)

crawler.runner.CrawlerProcess = SignalledProcess
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def blog_url() -> Iterator[str]:
    with BlogServer(get_blog("demo")) as server:
        yield server.url


def crawl_argv(url: str, data_dir: Path, *settings: str) -> list[str]:
    return ["crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK, *settings]


def start_crawl(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def queue_state_fifo(jobdir: Path) -> Path:
    """``JOBDIR/requests.queue/active.json`` as a FIFO: Scrapy's scheduler blocks reading it."""
    queue = jobdir / "requests.queue"
    queue.mkdir(parents=True)
    fifo = queue / "active.json"
    os.mkfifo(fifo)
    return fifo


def open_when_read(fifo: Path, proc: subprocess.Popen[str]) -> int:
    """A write end of ``fifo``, once ``proc`` has opened it to read (fails if ``proc`` exits)."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)
        if proc.returncode is not None:
            out, err = proc.communicate()
            pytest.fail(f"the crawl ended before reading {fifo} ({proc.returncode}): {out}{err}")


def feed_queue_state(url: str, tmp_path: Path, state: bytes, signum: int | None) -> Run:
    """Crawl until Scrapy's scheduler reads its state; signal it there, then send ``state``."""
    jobdir = tmp_path / "job"
    fifo = queue_state_fifo(jobdir)
    proc = start_crawl(crawl_argv(url, tmp_path / "data", "-s", f"JOBDIR={jobdir}"))
    fd = open_when_read(fifo, proc)
    try:
        if signum is not None:
            proc.send_signal(signum)  # the crawl is blocked reading the FIFO
        os.write(fd, state)
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    return only_run(tmp_path / "data")


def only_run(data_dir: Path) -> Run:
    log = RunLog(data_dir / HISTORY_FILE)
    try:
        (run,) = log.list()
    finally:
        log.close()
    return run


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_while_the_spider_opens_is_interrupted(
    blog_url: str, tmp_path: Path, signum: int
) -> None:
    run = feed_queue_state(blog_url, tmp_path, b"{}", signum)
    assert (run.status, run.reason) == ("interrupted", STOPPED_BEFORE_START), run
    assert run.ended is not None
    assert run.pages == 0


def test_broken_state_while_the_spider_opens_is_failed(blog_url: str, tmp_path: Path) -> None:
    run = feed_queue_state(blog_url, tmp_path, b"not json", None)
    assert (run.status, run.reason) == ("failed", "not started"), run
    assert run.ended is not None


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_before_the_reactor_starts_is_interrupted(
    blog_url: str, tmp_path: Path, signum: int
) -> None:
    name = signal.Signals(signum).name
    argv = crawl_argv(blog_url, tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-c", SELF_SIGNALLED, name, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 130, result.stdout + result.stderr
    assert "interrupted" in result.stderr
    run = only_run(tmp_path / "data")
    assert (run.status, run.reason) == ("interrupted", STOPPED_BEFORE_START), run
    assert run.ended is not None


def test_a_setting_that_breaks_the_start_is_failed(blog_url: str, tmp_path: Path) -> None:
    log_file = tmp_path / "missing" / "crawl.log"
    result = run_cli(*crawl_argv(blog_url, tmp_path / "data", "-s", f"LOG_FILE={log_file}"))
    assert result.returncode == 1, result.stdout + result.stderr
    run = only_run(tmp_path / "data")
    assert run.status == "failed", run
    assert run.reason is not None
    assert run.reason.startswith("not started: "), run
    assert str(log_file) in run.reason


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("shutdown", "interrupted"),
        (STOPPED_BEFORE_START, "interrupted"),
        (FORCED_STOP, "interrupted"),
        ("not started", "failed"),
        ("finished", "failed"),  # no page fetched
    ],
)
def test_status_follows_the_reason(reason: str, status: str) -> None:
    counts = dict.fromkeys(("pages", "posts", "new", "changed", "unchanged", "errors"), 0)
    result = CrawlResult(
        site="s",
        url="http://127.0.0.1/",
        reason=reason,
        **counts,
        warc_files=[],
        warc_bytes=0,
        received_bytes=0,
        jsonl_file=None,
        seconds=0.0,
    )
    assert result.status == status
