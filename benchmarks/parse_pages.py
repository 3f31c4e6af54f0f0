"""Parse every HTML page of crawls' WARCs in-process, as the spider does: dump, time, profile.

    .venv/bin/python benchmarks/parse_pages.py DATA... --dump before.jsonl
    .venv/bin/python benchmarks/parse_pages.py DATA... --dump after.jsonl --diff before.jsonl
    .venv/bin/python benchmarks/parse_pages.py DATA... --repeat 3          # ms per page
    .venv/bin/python benchmarks/parse_pages.py DATA... --profile out.pstats

Each ``DATA`` is a directory holding a crawl's ``.warc.gz`` files (searched recursively;
the files of one directory are one site). Per HTML response: the page object of the site's
platform (the first page's, as the spider detects it on the home page), its links, its kind,
its record and requisites when it is a post or a page (with ``--dump``: every page's, to
cover every field's code): the whole parse path of a crawl.
``--dump`` writes one JSON line per page, so a change to the parsers can be checked to give
the same output on every page; ``--diff`` names the pages whose line changed.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from archive.warc.reading import Reading, read_archive
from crawler.extract import _charset, _html_response
from crawler.parsers import detect_platform, page_for
from crawler.parsers.requisites import page_requisites

Page = tuple[str, bytes, str | None]


def pages(data: Path) -> Iterator[tuple[str, list[Page]]]:
    """Each directory's WARC files' HTML responses, as (site, pages)."""
    by_dir: dict[Path, list[Path]] = {}
    for path in sorted(data.rglob("*.warc.gz")):
        by_dir.setdefault(path.parent, []).append(path)
    for folder, paths in by_dir.items():
        found: list[Page] = []
        for path in paths:
            reading = Reading(path)
            for entry in read_archive(reading):
                html = _html_response(entry, reading)
                if entry.url is not None and html is not None:
                    found.append((entry.url, html[0], _charset(html[1])))
        yield str(folder), found


def parse(
    url: str, body: bytes, encoding: str | None, platform: str, *, every: bool
) -> dict[str, object]:
    """What the spider takes from one page (``every``: the record and requisites of every
    page, listings too, for a dump that covers every field's code on every page)."""
    page = page_for(url, body, platform=platform, encoding=encoding)
    links = page.links()
    kind = page.page_kind
    out: dict[str, object] = {"url": url, "links": dataclasses.asdict(links)}
    out["kind"] = [kind.kind, kind.reason, kind.is_item]
    out["canonical"] = page.canonical_elsewhere(lambda u: True)
    if not (every or kind.is_item):
        return out
    out["item"] = page.extract().to_dict()
    found = page_requisites(page)
    out["requisites"] = [[i.to_dict() for i in found.images], found.urls]
    return out


def run(sites: list[tuple[str, list[Page]]], dump: Path | None) -> tuple[float, int]:
    """Parse every page once; seconds of CPU and pages."""
    lines: list[str] = []
    spent = 0.0
    count = 0
    for _site, found in sites:
        if not found:
            continue
        platform = detect_platform(found[0][1], found[0][0])
        for url, body, encoding in found:
            start = time.process_time()
            out = parse(url, body, encoding, platform, every=dump is not None)
            spent += time.process_time() - start
            count += 1
            if dump:
                lines.append(json.dumps(out, sort_keys=True, default=str))
    if dump:
        dump.write_text("\n".join(lines) + "\n")
    return spent, count


def diff(before: Path, after: Path) -> int:
    old = before.read_text().splitlines()
    new = after.read_text().splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
    for a, b in changed[:20]:
        print("changed:", json.loads(a)["url"])
        ja, jb = json.loads(a), json.loads(b)
        for key in ja:
            if ja[key] != jb.get(key):
                print(f"  {key}: {str(ja[key])[:300]}\n  -> {str(jb.get(key))[:300]}")
    print(f"{len(changed)} of {len(old)} pages changed; {len(new) - len(old):+d} pages")
    return 1 if changed or len(old) != len(new) else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("data", nargs="+", type=Path)
    p.add_argument("--dump", type=Path, help="write one JSON line per page here")
    p.add_argument("--diff", type=Path, help="compare the dump with this earlier one")
    p.add_argument("--repeat", type=int, default=1, help="parse every page this many times")
    p.add_argument("--profile", type=Path, help="cProfile the parsing into this file")
    args = p.parse_args(argv)
    sites = [site for data in args.data for site in pages(data)]
    profiler = cProfile.Profile() if args.profile else None
    times = []
    for round_ in range(args.repeat):
        if profiler:
            profiler.enable()
        spent, count = run(sites, args.dump if round_ == 0 else None)
        if profiler:
            profiler.disable()
        times.append(spent)
        per_page = spent / count * 1e3
        print(f"round {round_ + 1}: {count} pages, {spent:.2f} s CPU, {per_page:.2f} ms/page")
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
    if args.dump and args.diff:
        return diff(args.diff, args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
