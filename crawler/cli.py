"""The ``blogarchive`` command: crawl, search, show, serve, extract, reindex, runs, ...

``main(argv)`` returns an exit code and can be called in-process (as tests do). Only
the chosen command's module is imported (all of them for the top-level ``--help``), and
commands import Scrapy only when they crawl, so ``search`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from collections.abc import Sequence
from types import ModuleType

COMMANDS = (
    "crawl",
    "search",
    "show",
    "serve",
    "extract",
    "reindex",
    "runs",
    "schedule",
    "enqueue",
    "worker",
    "verify",
    "export",
    "demo",
)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"crawler.commands.{name}")


def build_parser(names: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogarchive",
        description="Archive tech blogs to WARC and JSONL, and search them.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in names:
        module = _module(name)
        sub = module.add_parser(subparsers)
        sub.add_argument(
            "--data-dir",
            metavar="DIR",
            help="archive directory (default: $BLOGARCHIVE_DATA_DIR, else ./data)",
        )
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in words if not word.startswith("-")), None)
    args = build_parser([chosen] if chosen in COMMANDS else COMMANDS).parse_args(words)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except (OSError, sqlite3.Error) as exc:
        # A full disk, a read-only or vanished data dir: one line, not a traceback.
        print(f"blogarchive {args.command}: {exc}", file=sys.stderr)
        return 1


def _reader_gone() -> int:
    """The reader of our output left (``| head``): stop quietly, as Unix filters do.

    Python would report the broken pipe again when it flushes stdout at exit; pointing
    stdout at /dev/null first keeps that quiet (the Python docs' recipe for SIGPIPE).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE: what a shell reports for a filter its reader left


if __name__ == "__main__":
    sys.exit(main())
