"""Independent WARC checkers, run as their own command-line tools on files the suite wrote.

    assert_warcs_pass_checkers(files)

warcio's ``check`` verifies block and payload digests as warcio reads them; FastWARC's
``check -p`` parses with its own (Rust) reader and verifies payload digests too, and it
fails records that claim a digest WARC 1.1 does not define (a metadata payload digest).

One FastWARC verdict is set aside: it digests a revisit's own (empty) payload, while WARC
1.1 (6.7.2) has a revisit carry the digest of the payload it stands for, so FastWARC 2.0
fails every identical-payload-digest revisit, warcio's own sample ``example.warc`` too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


def warcio_check(files: Iterable[Path]) -> subprocess.CompletedProcess[str]:
    return _run("warcio.cli", "check", *map(str, files))


def fastwarc_check(path: Path) -> subprocess.CompletedProcess[str]:
    """FastWARC's check with payload digests; it takes one file per run."""
    return _run("fastwarc.cli", "check", "--verify-payloads", "--quiet", "-o", "-", str(path))


def cdxj_index(path: Path, *, sort: bool = True) -> str:
    """cdxj-indexer's index of one WARC file (sorted, as pywb wants it)."""
    found = _run("cdxj_indexer.main", *(["--sort"] if sort else []), str(path))
    assert found.returncode == 0, found.stderr
    return found.stdout


def assert_warcs_pass_checkers(files: list[Path]) -> None:
    assert files, "no WARC file to check"
    warcio = warcio_check(files)
    assert warcio.returncode == 0, warcio.stdout + warcio.stderr
    for path in files:
        fast = fastwarc_check(path)
        # It lists every record: "<id>: OK, PAYLOAD_OK", or FAIL for block or payload.
        failed = [line for line in fast.stdout.splitlines() if "FAIL" in line]
        assert failed == [line for line in failed if _revisit_payload(line, revisits(path))]
        assert fast.stderr.strip() == "", fast.stderr


def revisits(path: Path) -> set[str]:
    """The ids of the revisit records of a WARC file."""
    with path.open("rb") as stream:
        return {
            r.rec_headers.get_header("WARC-Record-ID")
            for r in ArchiveIterator(stream)
            if r.rec_type == "revisit"
        }


def _revisit_payload(line: str, revisit_ids: set[str]) -> bool:
    """A FastWARC line that fails only the payload digest of a revisit (see above)."""
    record_id, _, verdict = line.partition(": ")
    return record_id in revisit_ids and verdict == "OK, PAYLOAD_FAIL"


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
