"""A blocking, exclusive lock on a directory, for set-up steps processes must not race."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def directory_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` for the block; waits for other holders."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the flock
