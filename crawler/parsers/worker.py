"""What a parsing worker process runs besides :func:`~crawler.parsers.reading.read_page`.

No Scrapy here, nor anywhere a worker imports: a worker is a fresh interpreter, and
Scrapy and Twisted would cost it some 50 MB and a quarter of a second for nothing.
"""

from __future__ import annotations

import signal
import sys

from .reading import read_page

__all__ = ["initialize", "loaded", "warm_up"]

_WARM_PAGE = "<html><body><article><h1>Warm</h1><p>up</p></article></body></html>"


def initialize() -> None:
    """Ctrl-C reaches the whole process group: the crawl stops itself, then its workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def warm_up() -> int:
    """Read a first page, so that a worker has imported everything before real work."""
    read_page("http://localhost/warm-up", _WARM_PAGE)
    return 1


def loaded(module: str) -> bool:
    """Whether this process has imported ``module``."""
    return module in sys.modules
