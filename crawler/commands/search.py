"""``blogarchive search QUERY``: full-text search with filters."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive.index import QuerySyntaxError, SearchIndex
from archive.paths import index_dir, resolve_data_dir
from archive.search import format_hit, hits_to_json, parse_rating_bound


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "search",
        help="search the archive",
        description='Search archived posts. Words must all match; "a quoted phrase" matches '
        "as a phrase; OR, NOT and prefix* are supported.",
    )
    parser.add_argument("query", nargs="*", help='words and "quoted phrases"')
    parser.add_argument("--site", help="only this site (its name in the config)")
    parser.add_argument("--author", help="only this author (case- and accent-insensitive)")
    parser.add_argument(
        "--min-rating",
        metavar="R",
        help="minimum rating, normalized 0..1 (0.8) or as a fraction (4/5)",
    )
    parser.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    parser.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    parser.add_argument("--limit", type=int, default=10, help="number of hits (default 10)")
    parser.add_argument("--json", action="store_true", help="print a JSON array of hits")
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if not index_dir(data_dir).exists():
        print(
            f"blogarchive search: no index in {data_dir}; run `blogarchive crawl` "
            "(or `blogarchive reindex`) first",
            file=sys.stderr,
        )
        return 1
    try:
        min_rating = None if args.min_rating is None else parse_rating_bound(args.min_rating)
        if args.limit <= 0:
            raise ValueError("--limit must be positive")
        hits = SearchIndex(index_dir(data_dir)).search(
            " ".join(args.query),
            site=args.site,
            author=args.author,
            min_rating=min_rating,
            since=args.since,
            until=args.until,
            limit=args.limit,
        )
    except QuerySyntaxError as exc:
        print(f"blogarchive search: bad query: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"blogarchive search: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(hits_to_json(hits))
        return 0
    if not hits:
        print("no matches")
        return 0
    color = sys.stdout.isatty()
    print("\n\n".join(format_hit(hit, color=color) for hit in hits))
    return 0
