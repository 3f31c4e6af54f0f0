"""``blogarchive serve``: the web UI and JSON API for the archive, read only.

It binds to loopback unless told otherwise, and warns when it is not: the UI has no
login, so anyone who can reach the port can read the archive.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive import DataDir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="browse and search the archive in a web browser",
        description="Serve a read-only web UI (search, posts, captures, stats) and a JSON "
        "API (/api/search, /api/posts/ID, /api/runs, /api/openapi.json) for the archive.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0: any free port)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = DataDir.resolve(args.data_dir).path
    if not data_dir.is_dir():
        return _fail(f"no archive in {data_dir}; crawl something first, or pass --data-dir", 1)
    if not 0 <= args.port <= 65535:
        return _fail(f"--port must be 0..65535, got {args.port}", 2)
    from archive.web.security import is_loopback
    from archive.web.server import bind, serve

    if not is_loopback(args.host):
        print(
            f"blogarchive serve: warning: listening on {args.host}, not on loopback: anyone "
            "who can reach this port can read the archive (there is no login)",
            file=sys.stderr,
        )
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc}", 1)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a server stops: no error
        serve(data_dir, sock, args.host, _ready(data_dir))
    print("blogarchive serve: stopped", file=sys.stderr)
    return 0


def _ready(data_dir: Path) -> Callable[[str], None]:
    def announce(url: str) -> None:
        print(f"Serving {data_dir} at {url} (Ctrl-C to stop)", flush=True)

    return announce


def _fail(message: str, code: int) -> int:
    print(f"blogarchive serve: {message}", file=sys.stderr)
    return code
