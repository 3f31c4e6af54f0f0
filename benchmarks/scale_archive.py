"""Write a large archive as crawls leave it, without crawling: ``scale.py`` runs this.

``python benchmarks/scale_archive.py DATA_DIR --posts N [--sites S] [--small-files K]``

Posts are spread over S sites; each site gets one "crawl" (an
:class:`~archive.session.ArchiveSession` writing WARC and JSONL, with a run in the run
log), then a "recrawl" that edits 10% of its posts (a new version; a fifth of those
twice), answers 5% unchanged (identical-payload revisits) and 5% with a 304
(not-modified revisits). Pages are about 40 KB of HTML (boilerplate, scripts, a
1,000-word body); deterministic for a given N and S. ``--small-files K`` then writes K
tiny WARC files (one not-modified revisit each), as a year of daily recrawls that find
nothing leaves them.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.records import PostRecord
from archive.session import ArchiveSession
from archive.state.runs import RunLog
from archive.warc.records import HttpExchange

START = datetime(2024, 1, 1, tzinfo=UTC)
_RNG = random.Random(18)
WORDS = [
    "".join(_RNG.choice("abcdefghijklmnoprstuvwyz") for _ in range(_RNG.randint(2, 11)))
    for _ in range(6000)
]
BOILERPLATE = (
    "<nav>"
    + "".join(f'<a href="/category/{w}">{w.title()}</a>' for w in WORDS[:300])
    + "</nav><script>"
    + "var x=1;" * 800
    + "</script><style>"
    + ".c{color:red}" * 600
    + "</style>"
)


PARAGRAPHS = [
    " ".join(_RNG.choices(WORDS, k=_RNG.randint(40, 120))).capitalize() + "." for _ in range(3000)
]


def paragraphs(rng: random.Random, words: int) -> list[str]:
    """About ``words`` words: paragraphs drawn from a pool (generating text costs more
    than archiving it), the first one the post's own."""
    out = [" ".join(rng.choices(WORDS, k=60)).capitalize() + "."]
    while sum(p.count(" ") + 1 for p in out) < words:
        out.append(rng.choice(PARAGRAPHS))
    return out


def page(title: str, body: list[str], published: str) -> bytes:
    text = "".join(f"<p>{p}</p>" for p in body)
    return (
        f"<!DOCTYPE html><html lang=en><head><title>{title}</title></head><body>"
        f"{BOILERPLATE}<article><h1>{title}</h1><time datetime='{published}'></time>"
        f"{text}</article>{BOILERPLATE}</body></html>"
    ).encode()


class Site:
    def __init__(self, data_dir: Path, name: str, count: int, serial: int) -> None:
        self.data_dir = data_dir
        self.name = name
        self.count = count
        self.rng = random.Random(serial)
        self.base = f"https://{name}.example"

    def url(self, n: int) -> str:
        return f"{self.base}/{2010 + n % 14}/{n % 12 + 1:02d}/post-{n}.html"

    def post(self, n: int, edit: int, when: datetime) -> tuple[HttpExchange, PostRecord]:
        rng = random.Random(f"{self.name}-{n}-{edit}")
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).title()
        body = paragraphs(rng, rng.randint(600, 1400))
        published = f"{2010 + n % 14}-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        html = page(title, body, published)
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("ETag", f'"{self.name}-{n}-{edit}"'),
            ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
            ("Content-Length", str(len(html))),
        ]
        url = self.url(n)
        exchange = HttpExchange(url=url, response_headers=headers, body=html, fetched_at=when)
        record = PostRecord(
            url=url,
            site=self.name,
            title=title,
            authors=[f"Author {n % 7}"],
            published=published,
            body="\n\n".join(body),
            tags=rng.sample(WORDS[:50], 3),
            platform="wordpress",
            language="en",
            word_count=sum(len(p.split()) for p in body),
            fetched_at=when.isoformat(timespec="seconds"),
        )
        return exchange, record

    def crawl(self, numbers: list[int], edits: dict[int, int], day: int) -> None:
        """One session over ``numbers``: post n with ``edits[n]`` (0: as first written)."""
        log = RunLog(self.data_dir / "history.sqlite3")
        run = log.start(self.name, "manual")
        session = ArchiveSession(self.data_dir)
        session.open_warc(prefix=self.name, fsync="close")
        session.open_jsonl(prefix=self.name)
        when = START + timedelta(days=day)
        for n in numbers:
            exchange, record = self.post(n, edits.get(n, 0), when)
            if edits.get(n) == -1:  # a 304 answer
                exchange = HttpExchange(url=exchange.url, status=304, reason="Not Modified")
            for kept in session.capture(exchange, [record]):
                session.commit(kept)
        session.close()
        log.finish(run, "ok", {"pages": len(numbers), "new_posts": len(numbers)}, None)
        log.close()

    def recrawl(self, day: int) -> None:
        numbers, edits = [], {}
        for n in range(self.count):
            roll = self.rng.random()
            if roll < 0.10:
                numbers.append(n)
                edits[n] = 1
            elif roll < 0.15:
                numbers.append(n)  # unchanged: an identical-payload revisit
            elif roll < 0.20:
                numbers.append(n)
                edits[n] = -1
        self.crawl(numbers, edits, day)
        twice = [n for n in numbers if edits.get(n) == 1 and self.rng.random() < 0.2]
        self.crawl(twice, dict.fromkeys(twice, 2), day + 1)

    def small_files(self, count: int, day: int) -> None:
        """``count`` WARC files of one not-modified revisit each (a file per recrawl)."""
        session = ArchiveSession(self.data_dir)
        session.open_warc(prefix=self.name, fsync="close", max_size=1)
        when = START + timedelta(days=day)
        for i in range(count):
            url = self.url(i % self.count)
            session.capture(
                HttpExchange(url=url, status=304, reason="Not Modified", fetched_at=when), []
            )
        session.close()


def generate(
    data_dir: Path, posts: int, sites: int, small_files: int, *, only: bool, jobs: int = 1
) -> None:
    """The archive; ``only``: just add the small files to an archive made before. ``jobs``
    processes write sites side by side (their own files; the shared SQLite waits its turn)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    per_site = [posts // sites + (1 if i < posts % sites else 0) for i in range(sites)]
    started = time.monotonic()
    if only:
        Site(data_dir, "site00", per_site[0], 0).small_files(small_files, 61)
        print(f"{small_files} small files in {time.monotonic() - started:.0f} s", flush=True)
        return
    work = [(data_dir, f"site{i:02d}", count, i, started) for i, count in enumerate(per_site)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(write_site, work))
    else:
        for args in work:
            write_site(args)
    if small_files:
        Site(data_dir, "site00", per_site[0], 0).small_files(small_files, 60)
    print(f"generated in {time.monotonic() - started:.0f} s", flush=True)


def write_site(args: tuple[Path, str, int, int, float]) -> None:
    """One site's first crawl, then its recrawls with edits (a process of its own)."""
    data_dir, name, count, serial, started = args
    site = Site(data_dir, name, count, serial)
    site.crawl(list(range(site.count)), {}, 0)
    site.recrawl(30)
    print(f"{site.name}: {site.count} posts, {time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--small-files", type=int, default=0)
    parser.add_argument(
        "--only-small-files", action="store_true", help="add them to an archive made before"
    )
    parser.add_argument("--jobs", type=int, default=1, help="sites written side by side")
    args = parser.parse_args()
    generate(
        args.data_dir,
        args.posts,
        args.sites,
        args.small_files,
        only=args.only_small_files,
        jobs=args.jobs,
    )


if __name__ == "__main__":
    main()
