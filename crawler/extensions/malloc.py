"""Pin glibc malloc's mmap threshold, so the search index's big buffers go back to the OS.

glibc serves an allocation of ``M_MMAP_THRESHOLD`` bytes or more (128 KiB at start) with
its own ``mmap``, unmapped again on ``free``. Unless the threshold is set, glibc raises it
to the size of each such block that is freed (up to 32 MiB), and from then on blocks of
that size come from the malloc arenas instead. tantivy's writer threads (one writer per
index batch: ``ARCHIVE_INDEX_BATCH_SIZE`` posts, fewer once ``ARCHIVE_INDEX_BATCH_SECONDS``
have passed) allocate and free megabytes of hash tables, arena pages and merge buffers:
once the threshold has moved they land in per-thread arenas,
where the freed memory stays in the process, fragmented, and grows with each merge of a
larger index. Setting the threshold (as ``MALLOC_MMAP_THRESHOLD_`` would) also turns that
adjustment off, so they stay ``mmap``-ed. See ``benchmarks/README.md`` for the numbers.
"""

from __future__ import annotations

import ctypes
import logging
import os
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3
"""``mallopt`` parameter number, from glibc's ``malloc.h``."""
MAX_THRESHOLD = 32 * 1024 * 1024
"""glibc refuses a threshold above ``HEAP_MAX_SIZE / 2`` (32 MiB on 64-bit)."""


def glibc() -> Any | None:
    """The C library of this process if it is glibc (``mallopt`` is glibc's), else None."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # the name is unknown outside glibc
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


class MallocExtension:
    """Sets glibc's mmap threshold to ``BLOGARCHIVE_MALLOC_MMAP_THRESHOLD`` bytes.

    Process-wide and once, when the crawler is built. Not configured when
    ``BLOGARCHIVE_MALLOC_ENABLED`` is off, the threshold is out of range, or the C
    library is not glibc.
    """

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("BLOGARCHIVE_MALLOC_ENABLED"):
            raise NotConfigured("BLOGARCHIVE_MALLOC_ENABLED is off")
        threshold = settings.getint("BLOGARCHIVE_MALLOC_MMAP_THRESHOLD")
        if not 0 < threshold <= MAX_THRESHOLD:
            raise NotConfigured(
                f"BLOGARCHIVE_MALLOC_MMAP_THRESHOLD ({threshold!r}) must be within 1..{MAX_THRESHOLD}"
            )
        libc = glibc()
        if libc is None:
            raise NotConfigured("not glibc: its mmap threshold cannot be set")
        if not libc.mallopt(M_MMAP_THRESHOLD, threshold):
            raise NotConfigured(f"mallopt(M_MMAP_THRESHOLD, {threshold}) failed")
        logger.debug("glibc mmap threshold set to %d bytes", threshold)
        return cls(threshold)
