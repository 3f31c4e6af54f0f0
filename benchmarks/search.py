"""Benchmark the tantivy search index on synthetic posts.

    .venv/bin/python benchmarks/search.py               # 100,000 posts
    .venv/bin/python benchmarks/search.py --posts 20000 --words 300 --keep /tmp/ix

Generates posts with Zipf word frequencies (a 30k-word synthetic vocabulary plus a few
planted words and phrases), builds the index with :meth:`SearchIndex.rebuild` (one
commit, timed), then times :meth:`SearchIndex.search` (top 20 with snippets and hits
built, as the CLI does) over a query mix and prints p50/p95 latencies.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from archive.index import SearchIndex
from archive.records import PostRecord, Rating

SYLLABLES = [
    "ka", "ro", "mi", "te", "lu", "sa", "ven", "dor", "pi", "ex", "qua", "zen", "bri", "tol",
    "ma", "nu", "gre", "fo", "li", "ast", "ur", "pel", "si", "cor", "dra", "me", "no", "vi",
]  # fmt: skip
FIRST = ["José", "Ana", "Bob", "Hosne", "Zoë", "Łukasz", "Chloé", "Ravi", "Mia", "Søren", "Li"]
LAST = ["Núñez", "Smith", "Ara", "Müller", "Lima", "Dupont", "Kowalski", "Tanaka", "Okafor"]
PLANTED_PHRASE = "borrow checker"  # planted in 2% of posts
ALL_FILTERS: dict[str, Any] = {"site": "site07", "min_rating": 0.5, "since": "2010-01-01"}


def make_vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 4)))))
    vocab = sorted(words)
    rng.shuffle(vocab)  # rank order: vocab[0] is the most frequent word
    return vocab


class Corpus:
    def __init__(self, posts: int, words: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = make_vocabulary(30_000, self.rng)
        weights = [1 / (rank + 1) ** 1.07 for rank in range(len(self.vocab))]
        self.cum = list(itertools.accumulate(weights))
        self.posts = posts
        self.words = words
        self.sites = [f"site{n:02d}" for n in range(50)]
        self.authors = [f"{f} {last}" for f in FIRST for last in LAST]

    def sample(self, k: int) -> list[str]:
        rng, cum, vocab = self.rng, self.cum, self.vocab
        total = cum[-1]
        return [vocab[bisect.bisect(cum, rng.random() * total)] for _ in range(k)]

    def records(self) -> Iterator[PostRecord]:
        rng = self.rng
        for n in range(self.posts):
            length = max(20, int(rng.gauss(self.words, self.words / 3)))
            words = self.sample(length)
            if rng.random() < 0.02:
                at = rng.randrange(len(words))
                words[at:at] = PLANTED_PHRASE.split()
            paragraphs = [" ".join(words[i : i + 60]) + "." for i in range(0, len(words), 60)]
            year = rng.randint(2005, 2024)
            rated = rng.random() < 0.4
            yield PostRecord(
                url=f"https://{self.sites[n % 50]}.example/{year}/{n}",
                site=self.sites[n % 50],
                title=" ".join(self.sample(rng.randint(3, 8))).capitalize(),
                authors=[rng.choice(self.authors)],
                published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                body="\n\n".join(paragraphs),
                rating=Rating(value=rng.randint(1, 10) / 2, best=5, worst=0) if rated else None,
                tags=self.sample(rng.randint(0, 3)),
            )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts (default 100000)")
    parser.add_argument("--words", type=int, default=400, help="mean words per post")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build the index here and keep it")
    args = parser.parse_args(argv)

    corpus = Corpus(args.posts, args.words, args.seed)
    started = time.perf_counter()
    records = list(corpus.records())
    generated = time.perf_counter() - started
    body_mb = sum(len(r.body) for r in records) / 1e6
    print(f"generated {len(records):,} posts ({body_mb:,.0f} MB of body text) in {generated:.1f}s")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="blogarchive-bench-"))
    try:
        index = SearchIndex(workdir)
        started = time.perf_counter()
        index.rebuild(records)
        build = time.perf_counter() - started
        del records
        size_mb = sum(f.stat().st_size for f in workdir.rglob("*") if f.is_file()) / 1e6
        print(f"built index: {index.count():,} posts in {build:.1f}s ({size_mb:,.0f} MB on disk)")
        started = time.perf_counter()
        SearchIndex(workdir).count()
        print(f"open + count: {(time.perf_counter() - started) * 1000:.1f} ms")
        run_queries(index, corpus, args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def run_queries(index: SearchIndex, corpus: Corpus, runs: int) -> None:
    vocab = corpus.vocab
    rng = random.Random(7)

    def pick(lo: int, hi: int) -> str:
        return vocab[rng.randrange(lo, hi)]

    def common() -> str:  # each of these is in most posts
        return pick(0, 10)

    def mid() -> str:
        return pick(200, 2000)

    def rare() -> str:
        return pick(15_000, 30_000)

    def prefix() -> str:
        return pick(100, 3000)[:4] + "*"

    kinds: list[tuple[str, Callable[[], tuple[str, dict[str, Any]]]]] = [
        ("common word", lambda: (common(), {})),
        ("mid word", lambda: (mid(), {})),
        ("rare word", lambda: (rare(), {})),
        ("2-word AND (common+mid)", lambda: (f"{common()} {mid()}", {})),
        ("2-word AND (mid+mid)", lambda: (f"{mid()} {mid()}", {})),
        ("phrase", lambda: (f'"{PLANTED_PHRASE}"', {})),
        ("phrase (2 mid words)", lambda: (f'"{mid()} {mid()}"', {})),
        ("OR (mid)", lambda: (f"{mid()} OR {mid()}", {})),
        ("NOT (mid -common)", lambda: (f"{mid()} -{common()}", {})),
        ("prefix (4 letters)", lambda: (prefix(), {})),
        ("common + site", lambda: (common(), {"site": rng.choice(corpus.sites)})),
        ("common + author", lambda: (common(), {"author": rng.choice(corpus.authors)})),
        ("common + min_rating 0.8", lambda: (common(), {"min_rating": 0.8})),
        (
            "common + one year",
            lambda: (common(), {"since": "2015-01-01", "until": "2015-12-31"}),
        ),
        ("mid + all filters", lambda: (mid(), ALL_FILTERS)),
        ("list by date + site", lambda: ("", {"site": rng.choice(corpus.sites)})),
        ("list by date + rating", lambda: ("", {"min_rating": 0.9})),
    ]
    for _ in range(5):  # warm up
        index.search(common())
    print()
    print(f"{'query (top 20, snippets)':<28} {'p50 ms':>8} {'p95 ms':>8} {'hits':>6}")
    print("-" * 53)
    all_times: list[float] = []
    for name, make in kinds:
        times: list[float] = []
        found = 0
        for _ in range(runs):
            query, filters = make()
            started = time.perf_counter()
            hits = index.search(query, **filters)
            times.append((time.perf_counter() - started) * 1000)
            found += len(hits)
        all_times.extend(times)
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"{name:<28} {p50:>8.2f} {p95:>8.2f} {found / runs:>6.1f}")
    print("-" * 53)
    print(f"{'all':<28} {percentile(all_times, 0.5):>8.2f} {percentile(all_times, 0.95):>8.2f}")


if __name__ == "__main__":
    sys.exit(main())
