"""WARC write throughput by gzip level: ``python benchmarks/warc_write.py [--captures N]``.

Writes N captures with blogarchive's writer at levels 1, 6 and 9 (warcio's hard-coded
level), deflating with zlib-ng (what the writer uses) and with the standard library's
zlib, in the same run, then inflates every file back with each, and prints a table. The
pages are real ones: the extraction corpus (``--corpus``, default
``../shared/corpus/realworld-dev/html``), cycled to N captures.
"""

from __future__ import annotations

import argparse
import gzip
import random
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zlib_ng import zlib_ng

from archive.warc import writer as warc_writer
from archive.warc.writer import HttpExchange, WarcFileWriter

LIBRARIES: dict[str, Any] = {"zlib-ng": zlib_ng, "zlib": zlib}

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


def deflater(library: Any) -> Callable[[bytes, int], bytes]:
    def gzip_member(data: bytes, level: int) -> bytes:
        compressor = library.compressobj(level, library.DEFLATED, 16 + library.MAX_WBITS)
        return bytes(compressor.compress(data) + compressor.flush())

    return gzip_member


def run(level: int, bodies: list[bytes], library: Any) -> tuple[float, int, dict[str, float]]:
    """Seconds of CPU to write, bytes written, and seconds of CPU to inflate by library."""
    warc_writer.gzip_member = deflater(library)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        writer = WarcFileWriter(Path(tmp), prefix="bench", gzip_level=level, fsync="close")
        started = time.process_time()
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
        elapsed = time.process_time() - started
        size = sum(p.stat().st_size for p in writer.closed_files)
        data = b"".join(p.read_bytes() for p in writer.closed_files)
    return elapsed, size, {name: inflate(data, lib) for name, lib in LIBRARIES.items()}


def inflate(data: bytes, library: Any) -> float:
    """Seconds of CPU to inflate every gzip member of ``data``, read 64 KB at a time."""
    started = time.process_time()
    inflater = library.decompressobj(16 + library.MAX_WBITS)
    for start in range(0, len(data), 1 << 16):
        chunk = data[start : start + (1 << 16)]
        while chunk:
            inflater.decompress(chunk)
            chunk = inflater.unused_data if inflater.eof else b""
            if inflater.eof:
                inflater = library.decompressobj(16 + library.MAX_WBITS)
    return time.process_time() - started


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
    print("CPU time; inflating: the written files read back whole")
    print(
        "| deflate | level | captures/s | MB/s | WARC MB | ratio | inflate MB/s, zlib-ng | zlib |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for level in (1, 6, 9):
        for name, library in LIBRARIES.items():
            elapsed, size, inflating = run(level, bodies, library)
            print(
                f"| {name} | {level} | {args.captures / elapsed:.0f} | {payload / elapsed / 1e6:.1f}"
                f" | {size / 1e6:.1f} | {size / payload:.3f}"
                f" | {payload / inflating['zlib-ng'] / 1e6:.0f} | {payload / inflating['zlib'] / 1e6:.0f} |"
            )


if __name__ == "__main__":
    main()
