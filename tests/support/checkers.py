"""Independent WARC checkers, run as their own command-line tools on files the suite wrote.

    assert_warcs_pass_checkers(files)

warcio's ``check`` verifies block and payload digests as warcio reads them; FastWARC's
``check -p`` parses with its own (Rust) reader and verifies payload digests too, and it
fails records that claim a digest WARC 1.1 does not define (a metadata payload digest).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def warcio_check(files: Iterable[Path]) -> subprocess.CompletedProcess[str]:
    return _run("warcio.cli", "check", *map(str, files))


def fastwarc_check(path: Path) -> subprocess.CompletedProcess[str]:
    """FastWARC's check with payload digests; it takes one file per run."""
    return _run("fastwarc.cli", "check", "--verify-payloads", "--quiet", "-o", "-", str(path))


def assert_warcs_pass_checkers(files: list[Path]) -> None:
    assert files, "no WARC file to check"
    warcio = warcio_check(files)
    assert warcio.returncode == 0, warcio.stdout + warcio.stderr
    for path in files:
        fast = fastwarc_check(path)
        # It lists every record: "<id>: OK, PAYLOAD_OK", or FAIL for block or payload.
        failed = [line for line in fast.stdout.splitlines() if "FAIL" in line]
        assert fast.returncode == 0, f"{path.name}: {failed[:20]} {fast.stderr}"


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
