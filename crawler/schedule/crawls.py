"""The crawl processes a scheduler has running, each in its own process group."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time


class RunningCrawls:
    """The crawl processes of this scheduler, so that a stop can signal them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._idle = threading.Condition(self._lock)
        self.stopping = False

    def launch(self, site: str, argv: list[str]) -> subprocess.Popen[str] | None:
        """Start a crawl unless the scheduler is stopping."""
        with self._lock:
            if self.stopping:
                return None
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
            )
            self._procs[site] = proc
            return proc

    def done(self, site: str) -> None:
        with self._lock:
            self._procs.pop(site, None)
            self._idle.notify_all()

    def stop(self, signum: int) -> list[str]:
        """No more launches; send ``signum`` to every crawl's process group."""
        with self._lock:
            self.stopping = True
            procs = dict(self._procs)
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signum)
        return sorted(procs)

    def wait_idle(self, timeout: float, cancel: threading.Event | None = None) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._procs:
                left = deadline - time.monotonic()
                if left <= 0 or (cancel is not None and cancel.is_set()):
                    return False
                self._idle.wait(min(left, 0.2))
            return True

    def reset(self) -> None:
        with self._lock:
            self.stopping = False


RUNS = RunningCrawls()
