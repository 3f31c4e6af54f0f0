"""``blogarchive runs``: the run history, newest first."""

from __future__ import annotations

import argparse
import json
from typing import Any

from archive import HISTORY_FILE, DataDir, Run, RunLog


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "runs",
        help="show the history of crawl runs",
        description="Every crawl, scheduled or manual: site, trigger, start, end, status, "
        "pages, new, changed and unchanged posts, revalidated posts (asked for again although "
        "their sitemap or feed date had not moved) and how many of those were edited, errors "
        "and bytes written.",
    )
    parser.add_argument("--site", help="only this site")
    parser.add_argument("--limit", type=int, default=50, help="number of runs (default 50)")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    return parser


def run(args: argparse.Namespace) -> int:
    path = DataDir.resolve(args.data_dir).path / HISTORY_FILE
    runs: list[Run] = []
    if path.exists():
        log = RunLog(path)
        try:
            log.mark_interrupted()
            runs = log.list(site=args.site, limit=max(1, args.limit))
        finally:
            log.close()
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
        return 0
    if not runs:
        print("no runs yet")
        return 0
    print(
        f"{'id':>4}  {'site':16} {'trigger':8} {'started':25} {'status':11} "
        f"{'pages':>6} {'new':>5} {'chg':>5} {'same':>5} {'reval':>9} {'err':>4} {'MB':>7}"
    )
    for r in runs:
        print(
            f"{r.id:>4}  {r.site[:16]:16} {r.trigger:8} {r.started:25} {r.status:11} "
            f"{r.pages:>6} {r.new_posts:>5} {r.changed_posts:>5} {r.unchanged_posts:>5} "
            f"{_revalidated(r):>9} {r.errors:>4} {r.bytes_written / 1e6:>7.2f}"
        )
    return 0


def _revalidated(run: Run) -> str:
    """``asked/edited``: posts asked for again despite an unmoved date, and the edited ones."""
    return f"{run.revalidated}/{run.revalidated_changed}"
