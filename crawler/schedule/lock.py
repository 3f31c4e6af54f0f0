"""One scheduler per data dir: an exclusive ``flock`` on ``DATA/schedule.lock``."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "schedule.lock"


class SchedulerBusy(RuntimeError):
    """Another ``blogarchive schedule`` holds this data dir."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One scheduler per data dir (raises :class:`SchedulerBusy`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SchedulerBusy(f"another scheduler is running on {data_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
