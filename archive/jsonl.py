"""The JSONL archive: one post per line, UTF-8, appended and flushed as it comes.

A crash can leave at most one partial last line; :func:`iter_jsonl` skips such a
line with a warning instead of failing, so nothing written before it is lost.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Self

from archive.datadir import OPEN_SUFFIX, jsonl_files
from archive.fileio import append, reopen_newest, rollback
from archive.records import PostRecord

logger = logging.getLogger(__name__)
MAX_SIZE = 1_000_000_000
"""A rolling JSONL file takes no more lines past this size (about 100,000 posts)."""
READ_BUFFER = 1 << 20
"""For reading JSONL files line by line: lines are long (a whole post), and with the
default 8 KB buffer, splitting them costs several times more."""


def dumps(record: PostRecord) -> str:
    """One JSONL line (without the newline): compact, UTF-8 text, stable key order."""
    return json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))


class JsonlWriter:
    """Appends post records to ``DIR/PREFIX-YYYYMMDDhhmmss-SERIAL.jsonl``.

    The file is ``….jsonl.open`` while written and locked with ``flock``; ``path`` is
    its final name. With ``append``, the first line goes to the newest file of the prefix
    when it is under ``max_size`` (a rolling file, as the WARC writer keeps), so a run that
    stores a post or two adds no file; lines already there keep their offsets.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        prefix: str = "blogarchive",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        append: bool = False,
        max_size: int = MAX_SIZE,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = re.sub(r"[^A-Za-z0-9_.]+", "_", prefix).strip("_") or "blogarchive"
        self._clock = clock
        self.append = append
        self.max_size = max_size
        self._file: BinaryIO | None = None
        self.path: Path | None = None
        self.count = 0

    def write(self, record: PostRecord) -> int:
        """Append one whole line; a failed write (a full disk) leaves no partial line.

        Returns the line's offset, for :meth:`unwrite`.
        """
        offset = append(self._ensure_file(), (dumps(record) + "\n").encode("utf-8"))
        self.count += 1
        return offset

    def unwrite(self, offset: int) -> None:
        """Take back the last line written (at ``offset``), when what goes with it failed."""
        assert self._file is not None
        rollback(self._file, offset)
        self.count -= 1

    def close(self) -> None:
        """Flush, fsync and drop the ``.open`` suffix (then the lock goes with the file)."""
        if self._file is None or self.path is None:
            return
        os.fsync(self._file.fileno())
        self.path.with_name(self.path.name + OPEN_SUFFIX).rename(self.path)
        self._file.close()
        self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_file(self) -> BinaryIO:
        if self._file is not None:
            return self._file
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.append and (reopened := self._reopen()) is not None:
            return reopened
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S")
        serial = 0
        while True:
            serial += 1
            path = self.directory / f"{self.prefix}-{stamp}-{serial:05d}.jsonl"
            if path.exists():
                continue
            try:
                self._file = path.with_name(path.name + OPEN_SUFFIX).open("xb", buffering=0)
            except FileExistsError:
                continue
            # Held while writing, so crash repair leaves a live file alone.
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.path = path
            return self._file

    def _reopen(self) -> BinaryIO | None:
        mine = re.compile(rf"{re.escape(self.prefix)}-\d{{14}}-\d{{5}}\.jsonl")
        reopened = reopen_newest(self.directory, mine, self.max_size, whole=ends_a_line)
        if reopened is None:
            return None
        self.path, self._file = reopened
        logger.info("appending to JSONL file %s", self.path.name)
        return self._file


def ends_a_line(handle: BinaryIO, size: int) -> bool:
    """Whether the file (of ``size`` bytes) ends with a whole line: the only kind to append
    to; crash repair cuts a partial last one."""
    if size == 0:
        return True
    handle.seek(size - 1)
    return handle.read(1) == b"\n"


def iter_jsonl(path: Path | str) -> Iterator[PostRecord]:
    """Yield the records of one JSONL file, skipping (and logging) broken lines."""
    with Path(path).open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield PostRecord.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError) as exc:
                logger.warning("%s:%d: skipping unreadable line (%s)", path, number, exc)


def iter_archive(directory: Path | str) -> Iterator[PostRecord]:
    """Every record of every JSONL file under ``directory``, oldest file first."""
    for path in jsonl_files(directory):
        yield from iter_jsonl(path)


def line_versions(path: Path) -> Iterator[tuple[str, int | None, str | None]]:
    """Each line's URL, version and ``fetched_at``, mostly without parsing the line: for
    a forecast of the latest versions before a rebuild (a wrong one costs only time).

    Lines as :func:`dumps` writes them start with the URL and end with these fields, after
    the body; any other line is parsed whole. Unreadable lines are skipped.
    """
    try:
        with path.open("rb", buffering=READ_BUFFER) as lines:
            for line in lines:
                found = _quick_versions(line) or _parsed_versions(line)
                if found is not None:
                    yield found
    except OSError:
        return


_URL_START = b'{"url":"'


def _quick_versions(line: bytes) -> tuple[str, int | None, str | None] | None:
    end = line.find(b'"', len(_URL_START))
    whole = line.endswith((b"}\n", b"}"))  # not a partial last line
    if not line.startswith(_URL_START) or end < 0 or not whole:
        return None
    url = line[len(_URL_START) : end]
    version, fetched_at = _value_after(line, b'"version":'), _value_after(line, b'"fetched_at":')
    if b"\\" in url or not (version is None or version.isdigit()):
        return None
    if fetched_at is not None and _QUOTED.fullmatch(fetched_at) is None:
        return None
    return (
        url.decode("utf-8", "replace"),
        None if version is None else int(version),
        None if fetched_at is None else fetched_at[1:-1].decode("utf-8", "replace"),
    )


def _value_after(line: bytes, name: bytes) -> bytes | None:
    """The raw value of the last ``name`` key in the line (None for ``null`` or none)."""
    at = line.rfind(name)
    if at < 0:
        return None
    start = at + len(name)
    match = _SCALAR.match(line, start)
    raw = match.group() if match else b"?"
    return None if raw == b"null" else raw


_SCALAR = re.compile(rb'"[^"\\]*"|[^,}\]\s]+')
_QUOTED = re.compile(rb'"[^"\\]*"')


def _parsed_versions(line: bytes) -> tuple[str, int | None, str | None] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    version, fetched_at = data.get("version"), data.get("fetched_at")
    return (
        data["url"],
        version if isinstance(version, int) else None,
        fetched_at if isinstance(fetched_at, str) else None,
    )
