"""Benchmark ``blogarchive export --parquet`` and ``--jsonl``: time and peak memory at N posts.

    .venv/bin/python benchmarks/dataset_export.py                 # 100,000 posts
    .venv/bin/python benchmarks/dataset_export.py --posts 20000

Writes N synthetic posts (bodies of 300-1,500 words, tags, authors, 3% with a second
version) as JSONL under a temporary data dir, then runs each export as its own process and
reads its peak resident memory (``VmHWM``) from ``/proc`` while it runs. Prints a table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from the repo: the archive package, not an installed one

from archive.jsonl import JsonlWriter
from archive.records import PostRecord

WORDS = [f"w{n}" for n in range(20_000)]


def write_archive(data_dir: Path, posts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with JsonlWriter(data_dir / "items", prefix="bench") as writer:
        for n in range(posts):
            body = "\n\n".join(
                " ".join(rng.choices(WORDS, k=rng.randint(60, 300)))
                for _ in range(rng.randint(3, 5))
            )
            record = PostRecord(
                url=f"https://blog{n % 50}.example/{n}.html",
                site=f"blog{n % 50}",
                title=" ".join(rng.choices(WORDS, k=6)),
                authors=(f"Author {n % 300}",),
                published=f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}",
                body=body,
                tags=tuple(rng.choices(WORDS[:200], k=3)),
                version=1,
                fetched_at="2026-12-01T00:00:00+00:00",
            )
            writer.write(record)
            if rng.random() < 0.03:
                writer.write(record.replace(version=2, body=body + " edited"))


def peak_rss(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident MB of ``command``."""
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        try:
            for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    if child.returncode != 0:
        raise SystemExit(f"{command} failed with {child.returncode}")
    return time.monotonic() - started, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="blogarchive-dataset-"))
    try:
        began = time.monotonic()
        write_archive(scratch / "data", args.posts)
        jsonl = sum(p.stat().st_size for p in (scratch / "data" / "items").glob("*.jsonl"))
        print(
            f"{args.posts:,} posts, {jsonl / 1e6:.0f} MB of JSONL, "
            f"written in {time.monotonic() - began:.0f} s"
        )
        print("| export | seconds | peak RSS MB | output MB |")
        print("|---|---|---|---|")
        for kind in ("parquet", "jsonl"):
            out = scratch / f"out.{kind}"
            command = [
                sys.executable,
                "-m",
                "crawler.cli",
                "export",
                f"--{kind}",
                str(out),
                "--kind",
                "all",
                "--data-dir",
                str(scratch / "data"),
            ]
            seconds, peak = peak_rss(command)
            size = out.stat().st_size / 1e6
            print(f"| --{kind} | {seconds:.1f} | {peak:.0f} | {size:.0f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
