"""``blogarchive crawl SITE... | --url URL...``."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from archive import HISTORY_FILE, RunLog, live_run
from crawler.commands import add_config_option, add_settings_option
from crawler.config import ConfigError, SiteConfig, load_sites, parse_site, site_name_for


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
    parser.add_argument("--all", action="store_true", help="crawl every site that is not paused")
    add_config_option(parser)
    parser.add_argument("--platform", default="auto", help="platform for --url (default: auto)")
    parser.add_argument(
        "--trigger",
        choices=("manual", "schedule", "worker"),
        help="recorded in the run history (default manual; the scheduler passes 'schedule', "
        "RQ workers 'worker'); sets ARCHIVE_RUN_TRIGGER",
    )
    parser.add_argument("--max-pages", type=int, metavar="N", help="fetch at most N pages per site")
    parser.add_argument(
        "--revalidate-all",
        action="store_true",
        help="ask again (conditionally) for every known post, whatever its sitemap or feed "
        "date says; sets INCREMENTAL_REVALIDATE_ALL",
    )
    add_settings_option(parser, "override a Scrapy setting (repeatable)")
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
            [s for s in sites.values() if not s.paused]
            if args.all
            else [sites[n] for n in args.sites]
        )
    for url in args.url:
        entry = {"name": site_name_for(url), "url": url, "platform": args.platform}
        chosen.append(parse_site(entry, where=f"--url {url!r}"))
    if not chosen:
        raise ValueError("name a site from the config, use --all, or give --url URL")
    return chosen


# bool first (a subclass of int); an int default may still take a float (DOWNLOAD_TIMEOUT=2.5).
_GETTERS = ((bool, "getbool", "true or false"), (int | float, "getfloat", "a number"))
_CHOICES = {"LOG_LEVEL": ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")}


def check_overrides(overrides: dict[str, str]) -> None:
    """Refuse a ``-s`` value its setting can't take (raises ValueError)."""
    from scrapy.settings import Settings

    defaults = Settings()
    defaults.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        choices = _CHOICES.get(name)
        if choices and value not in choices:
            raise ValueError(f"-s {name}={value!r}: expected one of {', '.join(choices)}")
        kind = next((k for k in _GETTERS if isinstance(defaults.get(name), k[0])), None)
        if kind is None:
            continue
        try:
            getattr(Settings({name: value}), kind[1])(name)
        except ValueError:
            raise ValueError(f"-s {name}={value!r}: expected {kind[2]}") from None


def check_writable(data_dir: Path) -> None:
    """Fail before crawling when the archive could not be written (raises OSError)."""
    subdirs = [data_dir / name for name in ("warc", "items", "index")]
    for directory in [data_dir, *(d for d in subdirs if d.exists())]:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=directory):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OSError(f"cannot write to the data dir {directory}: {reason}") from None
    # Most crawl components open the history: one that cannot would fail with a traceback.
    try:
        RunLog(data_dir / HISTORY_FILE).close()
    except sqlite3.Error as exc:
        raise OSError(f"cannot open the history {data_dir / HISTORY_FILE}: {exc}") from None


def already_crawling(data_dir: Path, sites: list[SiteConfig]) -> str | None:
    """Why this crawl must not start: a live run of one of its sites, named; else None.

    Two crawls of one site would double its request rate and share its frontier; the
    scheduler and the workers check the same before they launch a crawl.
    """
    for site in sites:
        run = live_run(data_dir / HISTORY_FILE, site.name)
        if run is not None:
            return (
                f"{site.name} is being crawled already (run {run.id}, pid {run.pid} on "
                f"{run.host}, since {run.started}); wait for it or stop it"
            )
    return None


def run(args: argparse.Namespace) -> int:
    try:
        sites = select_sites(args)
        overrides = parse_overrides(args.settings)
        check_overrides(overrides)
    except (ConfigError, ValueError) as exc:
        print(f"blogarchive crawl: {exc}", file=sys.stderr)
        return 2
    if args.max_pages is not None and args.max_pages <= 0:
        print("blogarchive crawl: --max-pages must be positive", file=sys.stderr)
        return 2
    from archive import DataDir
    from crawler.runner import build_settings, run_crawls

    data_dir = DataDir.resolve(args.data_dir).path
    try:
        check_writable(data_dir)
        busy = already_crawling(data_dir, sites)
    except (OSError, sqlite3.Error) as exc:
        print(f"blogarchive crawl: {exc}", file=sys.stderr)
        return 1
    if busy:
        print(f"blogarchive crawl: {busy}", file=sys.stderr)
        return 1
    if args.trigger:
        overrides["ARCHIVE_RUN_TRIGGER"] = args.trigger
    if args.revalidate_all:
        overrides["INCREMENTAL_REVALIDATE_ALL"] = "True"
    results = run_crawls(sites, build_settings(data_dir, overrides), max_pages=args.max_pages)
    for result in results:
        print(result.summary())
    print(f"archive: {data_dir.resolve()}")
    return 0 if all(r.ok for r in results) else 1
