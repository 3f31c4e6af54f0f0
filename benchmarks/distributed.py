"""Workers on Redis and RQ: ``python benchmarks/distributed.py [--blogs 6] [--workers 1,2,4]``.

Serves N generated blogs, each on its own loopback host (127.0.0.2, .3, ...), starts a
private redis-server on a free port, and for each worker count enqueues every blog
(``--group-size`` per job) and runs that many ``blogarchive worker --burst`` processes.
Prints wall time, pages/s and the worst per-host request rate, read from the WARC dates,
next to the configured rate (one request per ``--delay`` seconds per blog).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

# The fixture blogs are test code (tests/sites), not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warcio.archiveiterator import ArchiveIterator

from tests.sites import BlogServer, get_blog

CLI = [sys.executable, "-m", "crawler.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    sys.exit("redis-server did not start")


def host_rates(data_dir: Path) -> tuple[float, int]:
    """Worst average requests/s of a host, and worst count in any one-second window."""
    times: dict[str, list[float]] = {}
    for path in (data_dir / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    host = re.sub(
                        r"^https?://([^/:]+).*", r"\1", record.rec_headers["WARC-Target-URI"]
                    )
                    stamp = record.rec_headers["WARC-Date"].replace("Z", "+00:00")
                    times.setdefault(host, []).append(datetime.fromisoformat(stamp).timestamp())
    worst_avg, worst_window = 0.0, 0
    for stamps in times.values():
        stamps.sort()
        if len(stamps) > 2:
            worst_avg = max(worst_avg, (len(stamps) - 2) / (stamps[-1] - stamps[1]))
        worst_window = max(
            worst_window, max(sum(1 for u in stamps if s <= u < s + 1) for s in stamps)
        )
    return worst_avg, worst_window


def run(workers: int, args: argparse.Namespace, redis_url: str, config: Path, root: Path) -> str:
    data_dir = root / f"data-{workers}"
    subprocess.run(
        [
            *CLI,
            "enqueue",
            "--all",
            "--group-size",
            str(args.group_size),
            "--redis",
            redis_url,
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        ],
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [*CLI, "worker", "--burst", "--redis", redis_url, "--name", f"b{workers}w{n}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    for proc in procs:
        proc.wait()
    wall = time.monotonic() - started
    runs = json.loads(
        subprocess.run(
            [*CLI, "runs", "--json", "--limit", "10000", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    pages = sum(r["pages"] for r in runs)
    avg, window = host_rates(data_dir)
    return (
        f"| {workers} | {args.group_size} | {wall:.1f} | {pages} | {pages / wall:.1f} | "
        f"{avg:.1f} | {window} | {1 / args.delay:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blogs", type=int, default=6)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds between requests")
    parser.add_argument("--group-size", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        redis, url = start_redis(root)
        servers = [
            BlogServer(
                get_blog("blogger", posts=args.posts, seed=50 + i), host=f"127.0.0.{2 + i}"
            ).start()
            for i in range(args.blogs)
        ]
        try:
            config = root / "sites.toml"
            config.write_text(
                "".join(
                    f'[[sites]]\nname = "b{i}"\nurl = "{s.url}"\nplatform = "blogger"\n'
                    f"delay = {args.delay}\nconcurrency = 1\n\n"
                    for i, s in enumerate(servers)
                )
            )
            print(
                f"{args.blogs} blogs of {args.posts} posts, one host each, delay {args.delay} s, "
                f"concurrency 1; jobs of {args.group_size} blogs"
            )
            print(
                "| workers | blogs per job | wall s | pages | pages/s | worst host req/s | "
                "worst host req in 1 s | configured req/s |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for workers in (int(w) for w in args.workers.split(",")):
                print(run(workers, args, url, config, root), flush=True)
        finally:
            for server in servers:
                server.stop()
            redis.terminate()
            redis.wait()


if __name__ == "__main__":
    main()
