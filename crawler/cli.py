"""The ``blogarchive`` command: crawl, search, extract, reindex, demo.

``main(argv)`` returns an exit code and can be called in-process (as tests do).
Subcommands import Scrapy only when they crawl, so ``search`` starts fast.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from crawler.commands import (
    crawl,
    demo,
    enqueue,
    export,
    extract,
    reindex,
    runs,
    schedule,
    search,
    serve,
    show,
    verify,
    worker,
)

COMMANDS = (
    crawl,
    search,
    show,
    serve,
    extract,
    reindex,
    runs,
    schedule,
    enqueue,
    worker,
    verify,
    export,
    demo,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogarchive",
        description="Archive tech blogs to WARC and JSONL, and search them.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        sub = module.add_parser(subparsers)
        sub.add_argument(
            "--data-dir",
            metavar="DIR",
            help="archive directory (default: $BLOGARCHIVE_DATA_DIR, else ./data)",
        )
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (OSError, sqlite3.Error) as exc:
        # A full disk, a read-only or vanished data dir: one line, not a traceback.
        print(f"blogarchive {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
