"""What page requisites cost a crawl (issue 16): the same blog crawled with assets on and off.

    .venv/bin/python benchmarks/crawl_assets.py                    # 30 posts, 50 KB images, 3 repeats
    .venv/bin/python benchmarks/crawl_assets.py --posts 200 --image-kb 120 --repeat 1

Serves the tests' asset blog (``tests/sites/assets.py``: each post shows a plain, a lazy
``data-src`` and a ``srcset`` image, plus a theme stylesheet that imports another and names
background images) on 127.0.0.1, its images from a second server reached as ``localhost``
(another host, as a CDN is), each image padded to ``--image-kb`` of incompressible bytes.
Then runs ``blogarchive crawl`` (a fresh data dir each time) with ``ASSETS_ENABLED`` on and
off, alternating, ``--repeat`` times, with the tests' loopback politeness, and reports the
medians of: pages and assets fetched (the crawl's summary), posts, the images items list
and how many of them have a WARC pointer, bytes received and written, and wall time. Self-contained: separate from
``crawl.py`` (blogarchive against its peers). Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sites import BlogServer
from tests.sites.assets import IMAGE_HOST, AssetBlog

LOOPBACK = [
    *("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"),
    *("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"),
]
SUMMARY = re.compile(
    r"(?P<pages>\d+) pages, (?:(?P<assets>\d+) assets, )?(?P<posts>\d+) posts .*?"
    r"(?P<received>[\d.]+) MB received, (?P<warc>[\d.]+) MB of WARC"
)


@dataclass(frozen=True)
class Run:
    assets_on: bool
    pages: int
    assets: int
    posts: int
    pointed: int
    listed: int
    received_mb: float
    warc_mb: float
    seconds: float


def padded(site: dict, kb: int) -> dict:
    """The image site with every PNG padded to ``kb`` KiB of incompressible bytes."""
    out = {}
    for path, resource in site.items():
        if resource.content_type == "image/png" and kb > 0:
            noise = random.Random(path).randbytes(kb * 1024)
            resource = replace(resource, body=resource.body + noise)
        out[path] = resource
    return out


def crawl(base: str, data_dir: Path, assets_on: bool) -> Run:
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--url", base]
    command += ["--data-dir", str(data_dir), *LOOPBACK, "-s", f"ASSETS_ENABLED={assets_on}"]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.monotonic() - started
    match = SUMMARY.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"crawl failed ({result.returncode}): {result.stdout}{result.stderr}")
    items = [
        json.loads(line)
        for path in (data_dir / "items").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    listed = [image for item in items for image in item["images"]]
    pointed = sum(1 for image in listed if "warc" in image)
    return Run(
        assets_on=assets_on,
        pages=int(match["pages"]),
        assets=int(match["assets"] or 0),
        posts=int(match["posts"]),
        pointed=pointed,
        listed=len(listed),
        received_mb=float(match["received"]),
        warc_mb=float(match["warc"]),
        seconds=seconds,
    )


def report(runs: list[Run]) -> None:
    print("| assets | pages | assets fetched | posts | images listed with a WARC pointer "
          "| received MB | WARC MB | wall s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for on in (False, True):
        mine = [r for r in runs if r.assets_on is on]
        if not mine:
            continue

        def med(name: str, runs: list[Run] = mine) -> float:
            return statistics.median(getattr(r, name) for r in runs)

        print(
            f"| {'on' if on else 'off'} | {med('pages'):.0f} | {med('assets'):.0f} "
            f"| {med('posts'):.0f} | {med('pointed'):.0f}/{med('listed'):.0f} | {med('received_mb'):.2f} "
            f"| {med('warc_mb'):.2f} | {med('seconds'):.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--image-kb", type=int, default=50, help="padding of each image")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    blog = AssetBlog(args.posts)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="blogarchive-assets-bench-") as tmp:
        images = BlogServer(padded(blog.image_site(), args.image_kb)).start()
        img = f"http://{IMAGE_HOST}:{images.port}/"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        base = f"http://127.0.0.1:{port}/"
        site = BlogServer(blog.blog_site(base, img), port=port).start()
        try:
            for n in range(args.repeat):
                for on in (False, True):
                    run = crawl(base, Path(tmp) / f"{n}-{on}", on)
                    print(f"assets {'on' if on else 'off'}: {run}", file=sys.stderr)
                    runs.append(run)
        finally:
            site.stop()
            images.stop()
    print(f"{args.posts} posts x 3 images of {args.image_kb} KB on another loopback host, "
          f"median of {args.repeat}:")  # fmt: skip
    report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
