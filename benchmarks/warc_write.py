"""WARC write throughput by gzip level: ``python benchmarks/warc_write.py [--captures N]``.

Writes N captures with blogarchive's writer at zlib levels 1, 6 and 9 (warcio's
hard-coded level) and prints a table. The pages are real ones: the extraction corpus
(``--corpus``, default ``../shared/corpus/realworld-dev/html``), cycled to N captures.
"""

from __future__ import annotations

import argparse
import gzip
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from archive.warc.writer import HttpExchange, WarcFileWriter

WORDS = [
    "the",
    "kernel",
    "scheduler",
    "latency",
    "python",
    "rust",
    "memory",
    "allocator",
    "cache",
    "thread",
    "async",
    "await",
    "database",
    "index",
    "query",
    "benchmark",
    "compiler",
    "linker",
    "container",
    "network",
    "packet",
    "socket",
    "tls",
    "http",
    "request",
    "response",
    "header",
    "body",
    "stream",
    "buffer",
    "parser",
    "token",
    "grammar",
    "tree",
    "node",
]


def page(rng: random.Random) -> bytes:
    paragraphs = []
    for _ in range(rng.randint(20, 60)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 120)))
        paragraphs.append(f"<p>{words}.</p>")
    chrome = "<nav>" + "".join(f"<a href='/p/{n}'>link {n}</a>" for n in range(80)) + "</nav>"
    return f"<html><head><title>t</title></head><body>{chrome}{''.join(paragraphs)}</body></html>".encode()


def run(level: int, bodies: list[bytes]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        writer = WarcFileWriter(Path(tmp), prefix="bench", gzip_level=level, fsync="close")
        started = time.perf_counter()
        for n, body in enumerate(bodies):
            writer.write_capture(
                HttpExchange(
                    url=f"http://127.0.0.1/post/{n}.html",
                    response_headers=[("Content-Type", "text/html")],
                    body=body,
                    fetched_at=datetime.now(UTC),
                )
            )
        writer.close()
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in writer.closed_files)
    return elapsed, size


def corpus_pages(folder: Path, count: int) -> list[bytes]:
    files = sorted(p for p in folder.rglob("*.htm*") if p.is_file())
    if not files:
        rng = random.Random(7)
        print(f"no pages under {folder}: using generated pages")
        return [page(rng) for _ in range(count)]
    pages = [_read(path) for path in files]
    return [pages[n % len(pages)] for n in range(count)]


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--captures", type=int, default=2000)
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld-dev" / "html"
    parser.add_argument("--corpus", type=Path, default=default)
    args = parser.parse_args()
    bodies = corpus_pages(args.corpus, args.captures)
    payload = sum(map(len, bodies))
    print(
        f"{args.captures} captures, {payload / 1e6:.1f} MB of HTML (mean {payload / len(bodies) / 1e3:.0f} KB)"
    )
    print(f"{'level':>5} | {'captures/s':>10} | {'MB/s':>6} | {'WARC MB':>7} | ratio")
    print("------|------------|--------|---------|------")
    for level in (1, 6, 9):
        elapsed, size = run(level, bodies)
        print(
            f"{level:>5} | {args.captures / elapsed:>10.0f} | {payload / elapsed / 1e6:>6.1f} | "
            f"{size / 1e6:>7.1f} | {size / payload:.3f}"
        )


if __name__ == "__main__":
    main()
