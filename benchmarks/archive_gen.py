"""A generated archive as crawls leave it, for the verify and export benchmarks.

``generate(DATA, posts=N)`` writes N posts over several sites, in several runs per site
(each run one :class:`archive.session.ArchiveSession`: WARC request, response and
metadata records, a JSONL line and a version in ``history.sqlite3`` per post), with
generated pages of 20-60 KB of HTML. Deterministic for a given N and seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.records import PostRecord
from archive.session import ArchiveSession
from archive.warc.records import HttpExchange

VOCABULARY = (
    "the kernel scheduler latency python rust memory allocator cache thread async await "
    "database index query benchmark compiler linker container network packet socket tls "
    "http request response header body stream buffer parser token grammar tree node "
    "lock queue epoch vector page table syscall interrupt driver firmware module crate "
    "package release version branch merge commit review deploy cluster replica shard"
)
WORDS = VOCABULARY.split()


def _text(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 120))) + "."
        for _ in range(paragraphs)
    )


def _page(title: str, body: str) -> bytes:
    chrome = "<nav>" + "".join(f"<a href='/p/{n}'>link {n}</a>" for n in range(80)) + "</nav>"
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f"<html><head><title>{title}</title></head><body>{chrome}"
        f"<article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def generate(
    data_dir: Path, *, posts: int, sites: int = 8, runs: int = 3, seed: int = 7, **warc: object
) -> None:
    """Write ``posts`` posts over ``sites`` sites in ``runs`` crawls each (WARC options in
    ``warc``, e.g. ``max_size``)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    per_run = max(1, posts // (sites * runs))
    written = 0
    for run in range(runs):
        for site in range(sites):
            if written >= posts:
                return
            count = min(per_run if run < runs - 1 or site < sites - 1 else posts, posts - written)
            moment = start + timedelta(days=run, minutes=site)
            _crawl(data_dir, f"site{site}", range(written, written + count), moment, rng, warc)
            written += count


def _crawl(
    data_dir: Path,
    site: str,
    numbers: range,
    moment: datetime,
    rng: random.Random,
    warc: dict[str, object],
) -> None:
    session = ArchiveSession(data_dir, clock=lambda: moment)
    session.open_warc(prefix=site, fsync="close", clock=lambda: moment, **warc)
    session.open_jsonl(prefix=site, clock=lambda: moment)
    try:
        for number in numbers:
            url = f"http://{site}.example/{2026 - number % 5}/post-{number}.html"
            title = f"Post {number} on {rng.choice(WORDS)}"
            body = _text(rng, rng.randint(8, 24))
            exchange = HttpExchange(
                url=url,
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=_page(title, body),
                fetched_at=moment,
            )
            post = PostRecord(url=url, site=site, title=title, body=body, fetched_at=_iso(moment))
            for kept in session.capture(exchange, [post]):
                session.commit(kept)
    finally:
        session.close()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--max-size", type=int, default=50_000_000)
    args = parser.parse_args()
    generate(args.data_dir, posts=args.posts, max_size=args.max_size)
