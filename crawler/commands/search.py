"""``blogarchive search QUERY``: full-text search with filters.

Exit codes: 0 (hits or none), 1 (no index, or an index to rebuild), 2 (a bad query or
option: one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from typing import Any

from archive import (
    KINDS,
    DataDir,
    QuerySyntaxError,
    SchemaVersionError,
    SearchHit,
    SearchIndex,
    hits_to_json,
    parse_rating_bound,
)

# The search engine reserves memory for every hit asked for: 10**9 took 16 GB.
MAX_LIMIT = 10_000


class _UsageError(ValueError):
    """A bad option value."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "search",
        help="search the archive",
        description='Search archived posts. Words must all match; "a quoted phrase" matches '
        "as a phrase; OR, NOT (or -word), (groups), prefix* and field:word (title, author, "
        "body, tag, site) are supported. Only the latest version of each post is searched, "
        "and only posts: --kind page searches the standalone pages (about pages...).",
    )
    parser.add_argument("query", nargs="*", help='words and "quoted phrases"')
    parser.add_argument("--site", help="only this site (its name in the config)")
    parser.add_argument("--author", help="only this author (case- and accent-insensitive)")
    for bound in ("min", "max"):
        parser.add_argument(
            f"--{bound}-rating",
            metavar="R",
            help=f"{bound}imum rating, normalized 0..1 (0.8) or as a fraction (4/5)",
        )
    parser.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    parser.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    parser.add_argument(
        "--tag", action="append", default=[], help="only posts with this tag (repeat: all)"
    )
    parser.add_argument("--lang", metavar="LANG", help="only this language (fr matches fr-FR)")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="post",
        help="posts (default), standalone pages (about pages, tutorials...), or all",
    )
    parser.add_argument(
        "--sort", choices=("relevance", "date"), default="relevance", help="order of the hits"
    )
    parser.add_argument(
        "--all-versions", action="store_true", help="every archived version of each post"
    )
    parser.add_argument("--limit", type=int, default=10, help="number of hits (default 10)")
    parser.add_argument("--json", action="store_true", help="print a JSON array of hits")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight matches in colour (auto: on a terminal, unless NO_COLOR is set)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    if not DataDir(data_dir).index_dir.exists():
        return _fail(
            f"no index in {data_dir}; run `blogarchive crawl` (or `blogarchive reindex`) first", 1
        )
    try:
        hits = _search(args, data_dir)
    except QuerySyntaxError as exc:
        return _fail(f"bad query: {exc}", 2)
    except SchemaVersionError as exc:
        return _fail(str(exc), 1)
    except (ValueError, OSError) as exc:
        return _fail(str(exc), 2 if isinstance(exc, _UsageError) else 1)
    if args.json:
        print(hits_to_json(hits))
    elif not hits:
        print("no matches")
    else:
        color = _use_color(args.color)
        print("\n\n".join(format_hit(hit, color=color) for hit in hits))
    return 0


def _search(args: argparse.Namespace, data_dir: Any) -> list[SearchHit]:
    try:
        min_rating = None if args.min_rating is None else parse_rating_bound(args.min_rating)
        max_rating = None if args.max_rating is None else parse_rating_bound(args.max_rating)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    if not 0 < args.limit <= MAX_LIMIT:
        raise _UsageError(f"--limit must be 1 to {MAX_LIMIT}")
    index = SearchIndex(DataDir(data_dir).index_dir)
    try:
        return index.search(
            " ".join(args.query),
            site=args.site,
            author=args.author,
            min_rating=min_rating,
            max_rating=max_rating,
            since=args.since,
            until=args.until,
            tag=args.tag,
            lang=args.lang,
            kind=args.kind,
            sort=args.sort,
            all_versions=args.all_versions,
            limit=args.limit,
        )
    except QuerySyntaxError:
        raise
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _fail(message: str, code: int) -> int:
    print(f"blogarchive search: {message}", file=sys.stderr)
    return code


# -- hits as terminal text (scraped text reaches the terminal only without control codes)

_BOLD = "\x1b[1m"
_NORMAL = "\x1b[22m"
_HIGHLIGHT = "\x1b[1;33m"  # bold yellow, like grep's matches
_PLAIN = "\x1b[22;39m"  # normal weight, default colour
_DIM = "\x1b[2m"
_MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
# Control characters (C0 but tab, DEL, C1): scraped text must not drive the terminal.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    return " ".join(_CONTROL_RE.sub("", text).split())


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _rating_text(rating: dict[str, Any] | None) -> str | None:
    if not rating or rating.get("value") is None:
        return None
    text = f"★ {_number(rating['value'])}/{_number(rating.get('best', 5))}"
    count = rating.get("count")
    if count:
        text += f" ({count} vote{'s' if count != 1 else ''})"
    return text


def format_hit(hit: SearchHit, *, color: bool) -> str:
    """A hit as terminal text: the title, then ``author · date · ★ 4.5/5 · site`` (and
    ``page`` for a page), the URL and the snippet, indented. With ``color`` (ANSI), the
    title is bold, the URL dim and the matched words bold yellow; without, the text is plain.
    """
    title = _clean(hit.title or "") or hit.url
    meta = [
        _clean(hit.author or ""),
        (hit.published or "")[:10],
        _rating_text(hit.rating) or "",
        _clean(hit.site or ""),
        "" if hit.kind == "post" else _clean(hit.kind),
        f"v{hit.version}" if hit.version and hit.version > 1 else "",
    ]
    url = _clean(hit.url)
    if color:
        title = f"{_BOLD}{title}{_NORMAL}"
        url = f"{_DIM}{url}{_NORMAL}"
    lines = [title]
    if any(meta):
        lines.append("  " + " · ".join(part for part in meta if part))
    lines.append("  " + url)
    snippet = _terminal_snippet(hit.snippet, color=color)
    if snippet:
        lines.append("  " + snippet)
    return "\n".join(lines)


def _terminal_snippet(snippet: str, *, color: bool) -> str:
    """The HTML snippet as terminal text: highlights in colour (or plain), no control codes."""
    # re.split with one group alternates: text, highlighted, text, highlighted, ..., text.
    pieces = _MARK_RE.split(snippet)
    out: list[str] = []
    for n, piece in enumerate(pieces):
        text = re.sub(r"\s+", " ", _CONTROL_RE.sub("", html.unescape(piece)))
        out.append(f"{_HIGHLIGHT}{text}{_PLAIN}" if color and n % 2 and text else text)
    return "".join(out).strip()
