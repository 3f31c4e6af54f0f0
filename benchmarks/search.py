"""Benchmark archive search on synthetic posts, with ``grep -c`` over the JSONL as baseline.

    .venv/bin/python benchmarks/search.py                  # 1,000,000 posts (minutes)
    .venv/bin/python benchmarks/search.py --posts 20000 --keep /tmp/bench

Writes N posts as JSONL under a temporary data directory (``--keep DIR`` keeps it), with
Zipf word frequencies over a 30k-word synthetic vocabulary, planted phrases, 40% rated,
tags, some French, German and Japanese posts, and a second version of 3% of them. Then:

1. builds the index from the JSONL as ``blogarchive reindex`` does (build rate, size);
2. times :meth:`SearchIndex.search` (top 20 with snippets, as the CLI) over a fixed
   query mix, in process: p50/p95 per kind of query and overall;
3. times the ``blogarchive search`` command (a new process each run, warm page cache);
4. runs ``grep -c`` (``LC_ALL=C``, case-insensitive) for the same words over the JSONL
   file, the index-less baseline; it cannot apply filters, so it has a row only for
   queries that are words or phrases.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from archive.jsonl import dumps, iter_archive
from archive.records import PostRecord, Rating
from archive.search.index import SearchIndex

SYLLABLES = [
    "ka", "ro", "mi", "te", "lu", "sa", "ven", "dor", "pi", "ex", "qua", "zen", "bri", "tol",
    "ma", "nu", "gre", "fo", "li", "ast", "ur", "pel", "si", "cor", "dra", "me", "no", "vi",
]  # fmt: skip
FIRST = ["José", "Ana", "Bob", "Hosne", "Zoë", "Łukasz", "Chloé", "Ravi", "Mia", "Søren", "Li"]
LAST = ["Núñez", "Smith", "Ara", "Müller", "Lima", "Dupont", "Kowalski", "Tanaka", "Okafor"]
FRENCH = ["café", "élève", "château", "déjà", "crème", "fenêtre", "garçon", "où", "naïve"]
GERMAN = ["Straße", "Größe", "über", "Mädchen", "schön", "Brücke", "Käse", "Fußball"]
JAPANESE = ["所有権", "非同期", "東京", "データベース", "プログラミング", "型推論", "設計"]
PLANTED_PHRASE = "borrow checker"  # planted in 2% of posts
ALL_FILTERS: dict[str, Any] = {"site": "site07", "min_rating": 0.5, "since": "2010-01-01"}

Maker = Callable[[], tuple[str, dict[str, Any]]]


def make_vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 4)))))
    vocab = sorted(words)
    rng.shuffle(vocab)  # rank order: vocab[0] is the most frequent word
    return vocab


class Corpus:
    """Synthetic posts, the same for the same seed."""

    def __init__(self, posts: int, words: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = make_vocabulary(30_000, self.rng)
        weights = [1 / (rank + 1) ** 1.07 for rank in range(len(self.vocab))]
        self.cum = list(itertools.accumulate(weights))
        self.posts = posts
        self.words = words
        self.sites = [f"site{n:02d}" for n in range(50)]
        self.authors = [f"{f} {last}" for f in FIRST for last in LAST]
        self.tags = self.vocab[100:160]

    def sample(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=k)

    def body(self, lang: str) -> str:
        rng = self.rng
        words = self.sample(max(20, int(rng.gauss(self.words, self.words / 3))))
        if lang == "ja":
            text = "".join(rng.choice(JAPANESE) + rng.choice("のをにはが。") for _ in range(80))
            return f"Rustの{text}\n\n" + " ".join(words[:60])
        if lang in ("fr", "de"):
            extra = FRENCH if lang == "fr" else GERMAN
            for _ in range(len(words) // 8):
                words[rng.randrange(len(words))] = rng.choice(extra)
        if rng.random() < 0.02:
            at = rng.randrange(len(words))
            words[at:at] = PLANTED_PHRASE.split()
        return "\n\n".join(" ".join(words[i : i + 60]) + "." for i in range(0, len(words), 60))

    def post(self, n: int) -> PostRecord:
        rng = self.rng
        roll = rng.random()
        lang = "ja" if roll < 0.01 else "fr" if roll < 0.04 else "de" if roll < 0.06 else "en"
        year = rng.randint(2005, 2024)
        return PostRecord(
            url=f"https://{self.sites[n % 50]}.example/{year}/{n}",
            site=self.sites[n % 50],
            title=" ".join(self.sample(rng.randint(3, 8))).capitalize(),
            authors=[rng.choice(self.authors)],
            published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            body=self.body(lang),
            rating=Rating(value=rng.randint(1, 10) / 2, best=5, worst=0)
            if rng.random() < 0.4
            else None,
            tags=rng.sample(self.tags, rng.randint(0, 3)),
            language=lang,
            version=1,
            fetched_at="2024-01-01T00:00:00Z",
        )

    def records(self) -> Iterator[PostRecord]:
        """Every post, then a second version of 3% of them."""
        changed: list[PostRecord] = []
        for n in range(self.posts):
            record = self.post(n)
            if self.rng.random() < 0.03:
                changed.append(record)
            yield record
        for old in changed:
            yield old.replace(
                version=2, fetched_at="2024-06-01T00:00:00Z", body=old.body + " updated."
            )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def query_mix(corpus: Corpus) -> list[tuple[str, Maker, str | None]]:
    """(name, make a query and its filters, grep -E pattern for the baseline or None)."""
    vocab, rng = corpus.vocab, random.Random(7)
    common, mid, rare = vocab[3], vocab[700], vocab[20_000]

    def pick(lo: int, hi: int) -> str:
        return vocab[rng.randrange(lo, hi)]

    def fixed(query: str, **filters: Any) -> Maker:
        return lambda: (query, filters)

    return [
        ("common word", lambda: (pick(0, 10), {}), rf"\b{common}\b"),
        ("mid word", lambda: (pick(200, 2000), {}), rf"\b{mid}\b"),
        ("rare word", lambda: (pick(15_000, 30_000), {}), rf"\b{rare}\b"),
        ("2 words (common+mid)", lambda: (f"{pick(0, 10)} {pick(200, 2000)}", {}), None),
        ("phrase (planted)", fixed(f'"{PLANTED_PHRASE}"'), rf"\b{PLANTED_PHRASE}\b"),
        ("phrase (2 mid words)", lambda: (f'"{pick(200, 2000)} {pick(200, 2000)}"', {}), None),
        ("OR (mid)", lambda: (f"{pick(200, 2000)} OR {pick(200, 2000)}", {}), None),
        ("NOT (mid -common)", lambda: (f"{pick(200, 2000)} -{pick(0, 10)}", {}), None),
        ("prefix (4 letters)", lambda: (pick(100, 3000)[:4] + "*", {}), rf"\b{mid[:4]}"),
        ("accent-folded (cafe)", fixed("cafe"), r"\bcaf(e|é)"),
        ("Japanese word", fixed("所有権"), "所有権"),
        ("common + site", lambda: (pick(0, 10), {"site": rng.choice(corpus.sites)}), None),
        ("common + author", lambda: (pick(0, 10), {"author": rng.choice(corpus.authors)}), None),
        ("common + min_rating 0.8", lambda: (pick(0, 10), {"min_rating": 0.8}), None),
        ("common + one year", fixed(common, since="2015-01-01", until="2015-12-31"), None),
        ("mid + tag", lambda: (pick(200, 2000), {"tag": rng.choice(corpus.tags)}), None),
        ("common + lang fr", lambda: (pick(0, 10), {"lang": "fr"}), None),
        ("mid + all filters", lambda: (pick(200, 2000), ALL_FILTERS), None),
        ("common, sort by date", lambda: (pick(0, 10), {"sort": "date"}), None),
        ("common, all versions", lambda: (pick(0, 10), {"all_versions": True}), None),
        ("list by date + site", lambda: ("", {"site": rng.choice(corpus.sites)}), None),
    ]


def build(data: Path, corpus: Corpus) -> tuple[int, float]:
    """Write the JSONL, build the index from it; returns (records, build seconds)."""
    (data / "items").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (data / "items" / "bench-20240101000000-00001.jsonl").open("w") as out:
        for record in corpus.records():
            out.write(dumps(record) + "\n")
    print(f"wrote the JSONL in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    count = SearchIndex.recreate(data / "index").rebuild(iter_archive(data / "items"))
    return count, time.perf_counter() - started


def time_queries(index: SearchIndex, mix: list[tuple[str, Maker, str | None]], runs: int) -> Any:
    for _ in range(5):
        index.search("warm up")
    rows, everything = [], []
    for name, make, _ in mix:
        times, found = [], 0
        for _ in range(runs):
            query, filters = make()
            started = time.perf_counter()
            found += len(index.search(query, limit=20, **filters))
            times.append((time.perf_counter() - started) * 1000)
        everything += times
        rows.append((name, percentile(times, 0.5), percentile(times, 0.95), found / runs))
    return rows, everything


def time_cli(data: Path, queries: list[list[str]], runs: int) -> list[tuple[str, float, float]]:
    script = Path(sys.executable).with_name("blogarchive")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    rows = []
    for args in queries:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [*command, "search", *args, "--data-dir", str(data)],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
        rows.append((" ".join(args), statistics.median(times), max(times)))
    return rows


def time_grep(jsonl: Path, pattern: str, runs: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            ["grep", "-c", "-i", "-E", pattern, str(jsonl)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # byte matching: grep's fastest mode
        )
        times.append(time.perf_counter() - started)
        count = int(done.stdout.strip() or 0)
    return statistics.median(times), count


def report(data: Path, corpus: Corpus, args: argparse.Namespace, built: tuple[int, float]) -> None:
    count, seconds = built
    size = sum(f.stat().st_size for f in (data / "index").rglob("*") if f.is_file())
    jsonl = next((data / "items").glob("*.jsonl"))
    index = SearchIndex(data / "index")
    print(f"\nposts: {index.count():,} ({count:,} records with versions; "
          f"JSONL {jsonl.stat().st_size / 1e9:.2f} GB)")  # fmt: skip
    print(f"build: {seconds:.0f} s, {count / seconds:,.0f} records/s; index {size / 1e9:.2f} GB")
    mix = query_mix(corpus)
    rows, everything = time_queries(index, mix, args.runs)
    print("\n| query (top 20, snippets) | p50 ms | p95 ms | hits | grep -c s | grep count |")
    print("|---|---|---|---|---|---|")
    for (name, p50, p95, hits), (_, _, pattern) in zip(rows, mix, strict=True):
        grep = time_grep(jsonl, pattern, args.grep_runs) if pattern else None
        g = f"{grep[0]:.2f} | {grep[1]:,}" if grep else "- | -"
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {hits:.0f} | {g} |", flush=True)
    print(f"| **all** | {percentile(everything, 0.5):.1f} | {percentile(everything, 0.95):.1f} "
          "| | | |")  # fmt: skip
    cli = [[corpus.vocab[3]], [f'"{PLANTED_PHRASE}"'], [corpus.vocab[700], "--site", "site07"]]
    print("\n| `blogarchive search` (new process) | median s | max s |\n|---|---|---|")
    for query, median, worst in time_cli(data, cli, args.cli_runs):
        print(f"| {query} | {median:.2f} | {worst:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts (default 1000000)")
    parser.add_argument("--words", type=int, default=400, help="mean words per post")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query kind")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs per CLI query")
    parser.add_argument("--grep-runs", type=int, default=3, help="runs per grep")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="data directory to build in and keep")
    parser.add_argument("--reuse", action="store_true", help="reuse the data in --keep")
    args = parser.parse_args(argv)
    corpus = Corpus(args.posts, args.words, args.seed)
    data = args.keep or Path(tempfile.mkdtemp(prefix="blogarchive-bench-"))
    try:
        if args.reuse:
            built = (SearchIndex(data / "index").count(all_versions=True), float("nan"))
        else:
            built = build(data, corpus)
        report(data, corpus, args, built)
    finally:
        if args.keep is None:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
