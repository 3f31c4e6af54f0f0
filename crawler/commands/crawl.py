"""``blogarchive crawl SITE... | --url URL...``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.config import ConfigError, SiteConfig, load_sites, parse_site


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "crawl",
        help="crawl blogs into the archive",
        description="Crawl sites from the config, or any blog by URL, into WARC, JSONL and "
        "the search index.",
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site names from the config")
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        metavar="URL",
        help="crawl a blog that is not in the config (repeatable)",
    )
    parser.add_argument("--all", action="store_true", help="crawl every enabled site")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="sites config (default: $BLOGARCHIVE_CONFIG, else config/sites.toml)",
    )
    parser.add_argument("--platform", default="auto", help="platform for --url (default: auto)")
    parser.add_argument("--max-pages", type=int, metavar="N", help="fetch at most N pages per site")
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="settings",
        help="override a Scrapy setting (repeatable)",
    )
    return parser


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` pairs, as ``scrapy crawl -s`` takes them."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def select_sites(args: argparse.Namespace) -> list[SiteConfig]:
    """The sites named on the command line (raises ConfigError or ValueError)."""
    chosen: list[SiteConfig] = []
    if args.sites or args.all:
        sites = load_sites(args.config)
        unknown = [name for name in args.sites if name not in sites]
        if unknown:
            raise ConfigError(f"unknown site {unknown[0]!r}; known: {', '.join(sorted(sites))}")
        chosen = (
            [s for s in sites.values() if s.enabled] if args.all else [sites[n] for n in args.sites]
        )
    for url in args.url:
        from urllib.parse import urlsplit

        entry = {"name": urlsplit(url).hostname or "site", "url": url, "platform": args.platform}
        chosen.append(parse_site(entry, where=f"--url {url!r}"))
    if not chosen:
        raise ValueError("name a site from the config, use --all, or give --url URL")
    return chosen


def run(args: argparse.Namespace) -> int:
    try:
        sites = select_sites(args)
        overrides = parse_overrides(args.settings)
    except (ConfigError, ValueError) as exc:
        print(f"blogarchive crawl: {exc}", file=sys.stderr)
        return 2
    if args.max_pages is not None and args.max_pages <= 0:
        print("blogarchive crawl: --max-pages must be positive", file=sys.stderr)
        return 2
    from archive.paths import resolve_data_dir
    from crawler.runner import build_settings, run_crawls

    data_dir = resolve_data_dir(args.data_dir)
    results = run_crawls(sites, build_settings(data_dir, overrides), max_pages=args.max_pages)
    for result in results:
        print(result.summary())
    print(f"archive: {data_dir.resolve()}")
    return 0 if all(r.ok for r in results) else 1
