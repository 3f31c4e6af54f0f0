"""The job: one site's ``blogarchive crawl`` subprocess (or its RQ job), logged as it ends."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO

from archive.history import HISTORY_FILE
from archive.runs import RunLog
from crawler.schedule.crawls import RUNS

logger = logging.getLogger("blogarchive.schedule")

TAIL_LINES = 8


def crawl_argv(site: str, config: str, data_dir: str, settings: list[str]) -> list[str]:
    overrides = [arg for value in settings for arg in ("-s", value)]
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        site,
        "--trigger",
        "schedule",
        "--config",
        config,
        "--data-dir",
        data_dir,
        *overrides,
    ]


def run_site(
    site: str, config: str, data_dir: str, settings: list[str], redis_url: str | None = None
) -> int:
    """The job: one ``blogarchive crawl SITE --trigger schedule`` process; its exit code.

    With ``redis_url`` (``schedule --redis``) the crawl is put on the RQ queue instead.
    Never raises for a failed crawl: it logs why, and the scheduler goes on.
    """
    if redis_url:
        from crawler.queue.enqueue import enqueue_scheduled

        return enqueue_scheduled(site, config, data_dir, settings, redis_url)
    holder = _running_elsewhere(site, Path(data_dir))
    if holder:
        logger.warning("%s: skipped, a crawl of it is already running (pid %s)", site, holder)
        return 0
    started = time.monotonic()
    proc = RUNS.launch(site, crawl_argv(site, config, data_dir, settings))
    if proc is None:
        return 0
    logger.info("%s: crawl started (pid %d)", site, proc.pid)
    try:
        out, err = _drain(proc)
    finally:
        RUNS.done(site)
    _report(site, proc.returncode, out, err, time.monotonic() - started)
    return proc.returncode


def _running_elsewhere(site: str, data_dir: Path) -> int | None:
    """The pid of a live run of ``site`` recorded in the run history, if any."""
    path = data_dir / HISTORY_FILE
    if not path.exists():
        return None
    log = RunLog(path)
    try:
        log.mark_interrupted()
        live = [r for r in log.list(site=site, limit=5) if r.status == "running"]
    finally:
        log.close()
    return (live[0].pid or -1) if live else None


def _drain(proc: subprocess.Popen[str]) -> tuple[deque[str], deque[str]]:
    """Read both pipes to the end (keeping the last lines) and wait for the process."""
    err: deque[str] = deque(maxlen=TAIL_LINES)
    if proc.stdout is None or proc.stderr is None:
        raise RuntimeError("the crawl's pipes are missing")
    reader = threading.Thread(target=_tail, args=(proc.stderr, err), daemon=True)
    reader.start()
    out: deque[str] = deque(maxlen=TAIL_LINES)
    _tail(proc.stdout, out)
    reader.join()
    proc.wait()
    return out, err


def _tail(stream: IO[str], lines: deque[str]) -> None:
    with stream:
        for line in stream:
            if line.strip():
                lines.append(line.rstrip())


def _report(site: str, code: int, out: deque[str], err: deque[str], seconds: float) -> None:
    summary = next((line for line in out if line.startswith(f"{site}:")), "")
    if code == 0:
        logger.info("%s", summary or f"{site}: done in {seconds:.1f} s")
    elif RUNS.stopping and code in (1, 130, -signal.SIGINT, -signal.SIGKILL):
        logger.warning("%s: crawl stopped by the scheduler's shutdown (exit %d)", site, code)
    else:
        why = " | ".join(list(err)[-4:]) or summary or "no output"
        logger.error("%s: crawl failed (exit %d) after %.1f s: %s", site, code, seconds, why)
