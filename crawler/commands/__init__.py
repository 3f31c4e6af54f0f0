"""One module per ``blogarchive`` subcommand: ``add_parser(subparsers)`` and ``run(args)``."""

from __future__ import annotations

import argparse


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="sites config (default: $BLOGARCHIVE_CONFIG, else config/sites.toml)",
    )


def add_settings_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``-s NAME=VALUE``, repeatable, as ``scrapy crawl -s`` takes it."""
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", dest="settings", help=help
    )
