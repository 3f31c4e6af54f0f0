"""The crawl subprocess of a job, which never outlives the job.

The crawl runs in its own session and process group, so signals meant for the worker's
terminal never reach it and killing the group kills the whole crawl. On Linux each
link of the chain worker → work horse → crawl also asks the kernel for SIGKILL when its
parent dies (``PR_SET_PDEATHSIG``): a worker killed with SIGKILL leaves no orphaned
crawl behind, and no crawl that would race the job's retry.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
STOP_GRACE = 10.0


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _child_setup(parent: int) -> Callable[[], None]:
    def setup() -> None:
        die_with_parent(parent)

    return setup


def launch(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the crawl: stdout piped (its summary lines), stderr to the worker's log."""
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
        # The work horse has no other thread yet (the lock keeper starts after this).
        preexec_fn=_child_setup(os.getpid()),  # noqa: PLW1509
    )


def signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


def stop(proc: subprocess.Popen[str], grace: float = STOP_GRACE) -> None:
    """SIGTERM the crawl's group (Scrapy closes its files), SIGKILL it after ``grace`` s."""
    if proc.poll() is not None:
        return
    signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        signal_group(proc, signal.SIGKILL)
        proc.wait()
