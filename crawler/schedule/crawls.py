"""The crawl processes a scheduler has running, so that a stop can signal them all."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

from crawler.process import ChildCrawl


class RunningCrawls:
    """The crawl children of this scheduler, by site; each stops on SIGINT."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._crawls: dict[str, ChildCrawl] = {}
        self._idle = threading.Condition(self._lock)
        self.stopping = False

    def launch(self, site: str, argv: list[str]) -> ChildCrawl | None:
        """Start a crawl unless the scheduler is stopping."""
        with self._lock:
            if self.stopping:
                return None
            # SIGINT, as a terminal's Ctrl-C: Scrapy closes the spider and its files.
            crawl = ChildCrawl.launch(argv)
            self._crawls[site] = crawl
            return crawl

    def done(self, site: str) -> None:
        with self._lock:
            self._crawls.pop(site, None)
            self._idle.notify_all()

    def interrupt(self) -> list[str]:
        """No more launches; ask every crawl to stop. The sites still crawling."""
        return self._each(ChildCrawl.interrupt)

    def kill(self) -> list[str]:
        """SIGKILL every crawl left. The sites killed."""
        return self._each(lambda crawl: crawl.signal(signal.SIGKILL))

    def _each(self, action: Callable[[ChildCrawl], None]) -> list[str]:
        with self._lock:
            self.stopping = True
            crawls = dict(self._crawls)
        for crawl in crawls.values():
            action(crawl)
        return sorted(crawls)

    def wait_idle(self, timeout: float, cancel: threading.Event | None = None) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._crawls:
                left = deadline - time.monotonic()
                if left <= 0 or (cancel is not None and cancel.is_set()):
                    return False
                self._idle.wait(min(left, 0.2))
            return True

    def reset(self) -> None:
        with self._lock:
            self.stopping = False


RUNS = RunningCrawls()
