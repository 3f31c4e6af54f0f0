"""verify and export --wacz on a generated archive, now and at an older revision.

    .venv/bin/python benchmarks/verify.py --posts 20000           # generates, then measures
    .venv/bin/python benchmarks/verify.py --data DIR --rev acfa6d7 # an existing archive

Runs each command as a child process (``python -m crawler.cli``) and prints a table: wall
time, CPU time (user + sys of the child and its workers, from ``wait4``), peak RSS of the
process tree's largest member (``ru_maxrss``), and throughput: WARC + JSONL megabytes and
WARC records per wall second. ``--rev REV`` runs the same commands with ``crawler/`` and
``archive/`` as they were at REV (via ``git archive``), for a before/after table; the
verify memory (``verified.sqlite3``) is removed before each ``--full`` run, so each reads
everything. The archive comes from :mod:`benchmarks.archive_gen` (kept with ``--data``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from archive_gen import generate

ROOT = Path(__file__).resolve().parents[1]


def source_at(rev: str, into: Path) -> Path:
    """``crawler/`` and ``archive/`` at ``rev``, unpacked under ``into``."""
    data = subprocess.run(
        ["git", "archive", rev, "crawler", "archive"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(source: Path, args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS (KB) and the last output line of one command."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        env=env,
        cwd=source,  # not this checkout: `-m` puts the working directory first on the path
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    # wait4: this child's own usage (its reaped workers' CPU included), not the benchmark's.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.strip().splitlines()[-1]


def megabytes_of(data: Path) -> float:
    """Megabytes of WARC and JSONL files."""
    suffixes = (".warc.gz", ".jsonl")
    found = [p for sub in ("warc", "items") for p in (data / sub).rglob("*")]
    return sum(p.stat().st_size for p in found if p.name.endswith(suffixes)) / 1e6


def run(label: str, source: Path, data: Path, args: list[str], megabytes: float) -> None:
    if "--full" in args or label.endswith("(before)"):
        (data / "verified.sqlite3").unlink(missing_ok=True)
    wall, cpu, rss, last = measure(source, [*args, "--data-dir", str(data)])
    records = _records(last)
    print(
        f"| {label:<28} | {wall:>7.1f} | {cpu:>7.1f} | {rss / 1024:>6.0f} | "
        f"{megabytes / wall:>6.1f} | {records / wall if records else 0:>9.0f} |"
    )


def _records(line: str) -> int:
    for part in line.split(","):
        words = part.split()
        if len(words) >= 2 and words[1] == "records":
            return int(words[0])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--max-size", type=int, default=5_000_000, help="WARC rotation size")
    parser.add_argument("--data", type=Path, help="an archive to use (generated if missing)")
    parser.add_argument("--rev", help="also run the commands at this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = (args.data or Path(scratch) / "data").resolve()
        if not (data / "warc").is_dir():
            started = time.perf_counter()
            generate(data, posts=args.posts, max_size=args.max_size)
            print(f"generated {args.posts} posts in {time.perf_counter() - started:.0f} s")
        megabytes = megabytes_of(data)
        print(f"archive: {data}, {megabytes:.0f} MB of WARC and JSONL, {os.cpu_count()} CPUs\n")
        print(f"| {'command':<28} | wall s  |  CPU s  | RSS MB |  MB/s  | records/s |")
        print(f"|{'-' * 30}|---------|---------|--------|--------|-----------|")
        sources = [("now", ROOT)]
        if args.rev:
            sources.insert(0, ("before", source_at(args.rev, Path(scratch) / "before")))
        wacz = Path(scratch) / "out.wacz"
        for name, source in sources:
            full = ["verify"] if name == "before" else ["verify", "--full"]
            run(f"{' '.join(full)} ({name})", source, data, full, megabytes)
            if name == "now":
                run("verify, nothing changed (now)", source, data, ["verify"], megabytes)
            export = ["export", "--wacz", str(wacz), "--force"]
            run(f"export --wacz ({name})", source, data, export, megabytes)


if __name__ == "__main__":
    main()
