"""What a parsing worker process runs besides :func:`~crawler.parsers.reading.read_page`.

No Scrapy here, nor anywhere a worker imports: a worker is a fresh interpreter, and
Scrapy and Twisted would cost it some 50 MB and a quarter of a second for nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from .reading import read_page

__all__ = ["initialize", "loaded", "warm_up"]

_WARM_PAGE = "<html><body><article><h1>Warm</h1><p>up</p></article></body></html>"


PR_SET_PDEATHSIG = 1
"""``prctl`` option, from Linux's ``prctl.h``."""


def initialize(parent: int) -> None:
    """Ctrl-C reaches the whole process group: the crawl stops itself, then its workers.
    A crawl killed outright (SIGKILL, the OOM killer) cannot: its workers end with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent(parent)


def _end_with_parent(parent: int) -> None:
    """SIGTERM this process when its parent (the crawl, ``parent``) dies, instead of idling
    forever (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: no prctl
        return
    if os.getppid() != parent:  # the parent died before prctl took hold
        os.kill(os.getpid(), signal.SIGTERM)


def warm_up() -> int:
    """Read a first page, so that a worker has imported everything before real work."""
    read_page("http://localhost/warm-up", _WARM_PAGE)
    return 1


def loaded(module: str) -> bool:
    """Whether this process has imported ``module``."""
    return module in sys.modules
