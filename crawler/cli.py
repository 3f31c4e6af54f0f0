"""The ``blogarchive`` command: crawl, search, extract, reindex, demo.

``main(argv)`` returns an exit code and can be called in-process (as tests do).
Subcommands import Scrapy only when they crawl, so ``search`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crawler.commands import (
    crawl,
    demo,
    export,
    extract,
    reindex,
    runs,
    schedule,
    search,
    show,
    verify,
)

COMMANDS = (crawl, search, show, extract, reindex, runs, schedule, verify, export, demo)


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


if __name__ == "__main__":
    sys.exit(main())
