"""Ctrl-C acts at once: say "stopping…", and drop the requests still waiting for their turn.

Scrapy's graceful stop waits for every request the downloader holds, including those
queued behind a site's ``delay``: with ``delay = 30`` a Ctrl-C took most of a minute and
printed nothing meanwhile. On SIGINT or SIGTERM this extension says so on stderr, then
fails the requests that have not started (``IgnoreRequest``, which the spider counts as
policy, not as errors) so the stop waits only for downloads under way. What was dropped
stays pending in the resume frontier, and the next crawl fetches it. A second signal is
Scrapy's own forced stop.

It reaches into Scrapy's downloader slots (``slots``, ``queue``, ``latercall``): a public
way to cancel queued downloads does not exist (Scrapy 2.13-2.19).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], Any]


class StopExtension:
    """Makes the first SIGINT/SIGTERM act within a second or two (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        self._previous: dict[int, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("BLOGARCHIVE_STOP_ENABLED"):
            raise NotConfigured("BLOGARCHIVE_STOP_ENABLED is off")
        ext = cls(crawler)
        # engine_started: after Scrapy installed its own handlers, which ours then call.
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if callable(previous):
                self._previous[signum] = previous
                signal.signal(signum, self._handle)

    def engine_stopped(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            self.stopping = True
            print(
                "stopping… (the downloads under way finish; again to stop at once)",
                file=sys.stderr,
                flush=True,
            )
            self._reactor_call(self.drop_queued)
        self._previous[signum](signum, frame)

    def drop_queued(self) -> int:
        """Fail every request the downloader holds that has not started; returns how many."""
        engine = self.crawler.engine
        slots = getattr(getattr(engine, "downloader", None), "slots", {})
        dropped = 0
        for slot in slots.values():
            if slot.latercall is not None:
                slot.latercall.cancel()
                slot.latercall = None
            while slot.queue:
                request, waiting = slot.queue.popleft()
                stopped = IgnoreRequest(f"stopping: not fetched: {request.url}")
                waiting.errback(Failure(stopped))  # type: ignore[no-untyped-call]
                dropped += 1
        if dropped and self.crawler.stats is not None:
            self.crawler.stats.inc_value("blogarchive/requests/dropped_at_stop", dropped)
        return dropped

    @staticmethod
    def _reactor_call(function: Callable[[], Any]) -> None:
        """Run ``function`` in the reactor's thread, outside the signal handler."""
        from twisted.internet import reactor

        reactor.callFromThread(function)
