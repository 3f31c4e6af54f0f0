"""What a recrawl costs: ``python benchmarks/recrawl.py [--posts 1000] [--edit 10]``.

Serves a generated Blogger-style blog on 127.0.0.1, crawls it, recrawls it unchanged,
then edits some posts (title and sitemap ``lastmod``, as a blog engine does) and
recrawls again. Prints bytes received, WARC bytes, requests and items for each run.
Politeness is lifted for loopback (no delay, no AutoThrottle, 8 connections).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The fixture blogs are test code (tests/sites), not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable

LOOPBACK = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]


def crawl(url: str, data_dir: Path) -> tuple[str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--url",
            url,
            "--data-dir",
            str(data_dir),
            *LOOPBACK,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[0], time.perf_counter() - started


def numbers(summary: str) -> dict[str, float]:
    found = {
        "pages": r"(\d+) pages",
        "posts": r"(\d+) posts",
        "received": r"([\d.]+) MB received",
        "warc": r"([\d.]+) MB of WARC",
    }
    return {k: float(re.search(p, summary)[1]) for k, p in found.items()}  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--edit", type=int, default=10)
    args = parser.parse_args()
    blog = get_blog("blogger", posts=args.posts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, BlogServer(blog) as server:
        data_dir = Path(tmp)
        rows.append(("first crawl", *crawl(server.url, data_dir)))
        rows.append(("unchanged recrawl", *crawl(server.url, data_dir)))
        for entry in editable(blog, args.edit):
            edit_post(server, blog, entry, " (edited)")
        rows.append((f"recrawl, {args.edit} posts edited", *crawl(server.url, data_dir)))
    first = numbers(rows[0][1])
    print(f"Blogger-style blog of {args.posts} posts on 127.0.0.1 (politeness lifted for loopback)")
    print(
        f"{'run':28} | {'pages':>6} | {'posts':>5} | {'MB received':>11} | {'MB WARC':>7} | "
        f"{'vs first':>8} | {'wall s':>6}"
    )
    print("-" * 29 + "|--------|-------|-------------|---------|----------|-------")
    for name, summary, seconds in rows:
        n = numbers(summary)
        share = n["received"] / first["received"] if first["received"] else 0.0
        print(
            f"{name:28} | {n['pages']:>6.0f} | {n['posts']:>5.0f} | {n['received']:>11.2f} | "
            f"{n['warc']:>7.2f} | {share:>7.1%} | {seconds:>6.1f}"
        )
    print(json.dumps({"summaries": [r[1] for r in rows]}, indent=1))


if __name__ == "__main__":
    main()
