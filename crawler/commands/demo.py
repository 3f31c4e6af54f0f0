"""``blogarchive demo``: serve the bundled sample blog on 127.0.0.1, crawl it, search it."""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archive import DataDir, SearchIndex
from crawler.commands.search import format_hit

DEMO_QUERY = "xiaomi smartphones"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="crawl and search the bundled sample blog (offline)",
        description="Serve the bundled sample blog on 127.0.0.1 on a free port, crawl it into "
        "an archive of its own (--data-dir, else a new temporary directory: never ./data), "
        "index it, run a sample search and print where everything is and how to search it.",
    )
    parser.add_argument(
        "--query", default=DEMO_QUERY, help=f"sample search (default: {DEMO_QUERY!r})"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from crawler.config import parse_site
    from crawler.demo.server import sample_site, serving
    from crawler.runner import LOOPBACK_SETTINGS, build_settings, run_crawls

    data_dir = _demo_dir(args.data_dir)
    started = time.monotonic()
    with serving(sample_site) as url:
        print(f"serving the sample blog at {url}")
        print(f"archiving it into {data_dir}")
        site = parse_site({"name": "sample", "url": url}, where="demo")
        settings = build_settings(data_dir, dict(LOOPBACK_SETTINGS))
        [result] = run_crawls([site], settings)
    print(result.summary())
    if not result.ok:
        print("blogarchive demo: the crawl failed", file=sys.stderr)
        return 1
    command = f"{_program()} search --data-dir {shlex.quote(str(data_dir))}"
    print(f"\nsearch: {command} {shlex.quote(args.query)}\n")
    hits = SearchIndex(DataDir(data_dir).index_dir).search(args.query, limit=3)
    print("\n\n".join(format_hit(h, color=sys.stdout.isatty()) for h in hits) or "no matches")
    print(f"\ndemo finished in {time.monotonic() - started:.1f} s. The archive is in {data_dir}:")
    for label, path in (
        ("WARC", DataDir(data_dir).warc_dir),
        ("JSONL", DataDir(data_dir).items_dir),
        ("index", DataDir(data_dir).index_dir),
    ):
        print(f"  {label:6} {path}")
    print(f"Try: {command} '\"flagship killer\"' --json")
    print(f"     {command} --author hosne")
    return 0 if hits else 1


def _demo_dir(given: str | None) -> Path:
    """``--data-dir``, else a fresh temporary directory: the demo never adds its sample
    posts to the archive in ``./data`` (or ``$BLOGARCHIVE_DATA_DIR``)."""
    if given:
        return Path(given).resolve()
    return Path(tempfile.mkdtemp(prefix="blogarchive-demo-"))


def _program() -> str:
    """How to run blogarchive again, as this process was run (``.venv/bin/blogarchive``
    works without an activated venv; ``python -m crawler.cli`` when run so)."""
    invoked = Path(sys.argv[0])
    if invoked.name == "blogarchive":
        return shlex.quote(str(invoked))
    return f"{shlex.quote(sys.executable)} -m crawler.cli"
