"""Stopping: SIGTERM/SIGINT to the scheduler, SIGINT then SIGKILL to its crawls."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from archive.datadir import HISTORY_FILE
from archive.repair import repair_data_dir
from archive.state.runs import RunLog
from crawler.schedule.crawls import RUNS

logger = logging.getLogger("blogarchive.schedule")


class StopSignals:
    """SIGTERM/SIGINT set ``stop``; a second one sets ``force`` (skip the graceful wait)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.force = threading.Event()
        self.signal_name = ""

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            self.force.set()
        self.signal_name = signal.Signals(signum).name
        self.stop.set()


def stop_crawls(data_dir: Path, timeout: float, force: threading.Event) -> None:
    """SIGINT every running crawl, wait up to ``timeout`` s, then SIGKILL the rest."""
    running = RUNS.interrupt()
    if running:
        logger.info("waiting up to %.0f s for %s to close", timeout, ", ".join(running))
    if not RUNS.wait_idle(timeout, force):
        killed = RUNS.kill()
        logger.warning("killed %s: no graceful stop in time", ", ".join(killed))
        RUNS.wait_idle(10.0)
        repair_data_dir(data_dir)  # logs what it repairs
    _mark_interrupted(data_dir)


def _mark_interrupted(data_dir: Path) -> None:
    """Runs of crawls that died before recording their end (killed, or SIGINT at startup)."""
    if not (data_dir / HISTORY_FILE).exists():
        return
    log = RunLog(data_dir / HISTORY_FILE)
    try:
        log.mark_interrupted()
    finally:
        log.close()
