"""A ``blogarchive crawl`` child process: its command line, launch, stop and output.

The scheduler and the RQ workers both crawl this way, so every crawl takes the code path
of a manual one. A child runs in its own session and process group: a terminal's Ctrl-C
reaches only its parent, and a signal to the group reaches the whole crawl. How a child
is stopped is its parent's policy, given at launch: the scheduler sends SIGINT; a worker
sends SIGTERM and also has the kernel SIGKILL the crawl when the worker dies
(``PR_SET_PDEATHSIG``, Linux), so that no orphaned crawl races the job's retry. Either
way a crawl that has not closed within its grace time gets SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

PR_SET_PDEATHSIG = 1
TAIL_LINES = 8


@dataclass(frozen=True, kw_only=True)
class CrawlCommand:
    """``blogarchive crawl SITE... --trigger TRIGGER`` and what the parent passes on."""

    sites: list[str]
    trigger: str
    config: str
    data_dir: str
    settings: list[str] = field(default_factory=list)
    """``NAME=VALUE`` Scrapy settings, as ``-s`` takes them."""
    max_pages: int | None = None
    tag: str = ""
    """``ARCHIVE_FILE_TAG``: in the names of the crawl's WARC and JSONL files."""
    worker: str = ""
    """``ARCHIVE_WORKER``: the queue worker, in the crawl's runs."""

    def argv(self) -> list[str]:
        pages = ["--max-pages", str(self.max_pages)] if self.max_pages else []
        settings = [*self.settings]
        if self.tag:
            settings.append(f"ARCHIVE_FILE_TAG={self.tag}")
        if self.worker:
            settings.append(f"ARCHIVE_WORKER={self.worker}")
        return [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            *self.sites,
            "--trigger",
            self.trigger,
            "--config",
            self.config,
            "--data-dir",
            self.data_dir,
            *pages,
            *(arg for value in settings for arg in ("-s", value)),
        ]


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _dying_with(parent: int) -> Callable[[], None]:
    def setup() -> None:
        die_with_parent(parent)

    return setup


class ChildCrawl:
    """One crawl child process, the leader of its own process group."""

    def __init__(self, proc: subprocess.Popen[str], stop_signal: int) -> None:
        self.proc = proc
        self.stop_signal = stop_signal

    @classmethod
    def launch(
        cls,
        argv: list[str],
        *,
        stop_signal: int = signal.SIGINT,
        pipe_stderr: bool = True,
        die_with_parent: bool = False,
    ) -> ChildCrawl:
        """Start ``argv``: stdout piped (the summary lines), stderr piped or the parent's.

        ``die_with_parent`` runs code in the child before ``exec`` (``preexec_fn``): only
        a parent with no other threads may ask for it.
        """
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if pipe_stderr else None,
            text=True,
            errors="replace",
            start_new_session=True,
            preexec_fn=_dying_with(os.getpid()) if die_with_parent else None,  # noqa: PLW1509
        )
        return cls(proc, stop_signal)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the crawl's process group (gone already: nothing to do)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signum)

    def interrupt(self) -> None:
        """Ask the crawl to stop: Scrapy closes the spider, its WARC and its JSONL."""
        self.signal(self.stop_signal)

    def stop(self, grace: float) -> None:
        """Interrupt the crawl, SIGKILL its group after ``grace`` seconds; wait for its end."""
        if self.proc.poll() is not None:
            return
        self.interrupt()
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait()

    def tail(self, lines: int | None = TAIL_LINES) -> tuple[list[str], list[str]]:
        """Read stdout and a piped stderr to the end, keeping their last non-blank ``lines``
        (all with None), then wait for the process."""
        out: deque[str] = deque(maxlen=lines)
        err: deque[str] = deque(maxlen=lines)
        reader = None
        if self.proc.stderr is not None:
            reader = threading.Thread(target=_keep, args=(self.proc.stderr, err), daemon=True)
            reader.start()
        if self.proc.stdout is not None:
            _keep(self.proc.stdout, out)
        if reader is not None:
            reader.join()
        self.proc.wait()
        return list(out), list(err)


def _keep(stream: IO[str], lines: deque[str]) -> None:
    with stream:
        for line in stream:
            if line.strip():
                lines.append(line.rstrip())
