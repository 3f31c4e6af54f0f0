"""``benchmarks/crawl.py --realsites``: the same race on the real blogs of ``../shared/realsites``.

Each site is served by its own ``serve.py`` on a free loopback port with ``--latency`` ms per
request (30 by default), and crawled in turn, round-robin, by every tool: blogarchive from
the site's home (no sites config), then the replay of the URLs that blogarchive's crawl
fetched, then wget from the same home. The table gives, per site, each tool's pages, median
CPU (start-up included) and CPU per page, and median wall times.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
from pathlib import Path

from crawl import round_robin
from crawl_tools import Ctx, Run
from realsites import Server

SMALL, LARGE = 2.0, 1.5
"""CPU targets against the replay: sites of ~100 pages, and of 200 pages or more."""


def _med(runs: list[Run], attr: str) -> float:
    good = [getattr(r, attr) for r in runs if r.ok]
    return statistics.median(good) if good else float("nan")


def race(args: argparse.Namespace, tmp: Path, pythonpath: str | None) -> None:
    sites_dir = Path(args.realsites).resolve()
    slugs = sorted(p.name for p in (sites_dir / "sites").iterdir() if p.is_dir())
    slugs = [s for s in slugs if not args.site or s in args.site]
    latency = args.latency[-1]
    print(f"real blogs of {sites_dir}, served by serve.py with {latency:g} ms per request; "
          f"{args.repeat} round(s) of {', '.join(args.tools)}; medians; blogarchive with "
          "no sites config\n")  # fmt: skip
    results: dict[str, dict[str, list[Run]]] = {}
    for slug in slugs:
        work = tmp / "real" / slug
        work.mkdir(parents=True)
        meta = json.loads((sites_dir / "sites" / slug / "site.json").read_text("utf-8"))
        home = str(meta.get("home") or "/")
        with Server(sites_dir, slug, home, latency, work) as srv:

            def ctx(tool: str, rep: int, work: Path = work, url: str = srv.base + home) -> Ctx:
                run_dir = work / f"{tool}-{rep}"
                run_dir.mkdir()
                config = {"BLOGARCHIVE_CONFIG": str(work / "no-sites.toml")}  # none: --url only
                return Ctx(url, run_dir, pythonpath, extra_env=config)

            if args.profile:
                from crawl import profile_crawl

                profile_crawl(args, ctx("profile", 0), f"blogarchive crawl of {slug}")
            else:
                results[slug] = round_robin(ctx, args.tools, args.repeat, None, slug)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.profile:
        return
    print(table(results, args.tools))
    print("\ntargets (issue 21: CPU vs the replay of the same URLs, start-up included):")
    for line in targets(results):
        print("  " + line)


def table(results: dict[str, dict[str, list[Run]]], order: list[str]) -> str:
    head = ["site"]
    for tool in order:
        head += [f"{tool} pages", f"{tool} CPU s", f"{tool} ms/page", f"{tool} wall s"]
    head.append("CPU / replay")
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for slug, runs in results.items():
        cells = [slug]
        for tool in order:
            got = runs.get(tool, [])
            if not any(r.ok for r in got):
                cells += ["failed", "", "", ""]
                continue
            pages, cpu = _med(got, "pages"), _med(got, "cpu")
            cells += [f"{pages:.0f}", f"{cpu:.2f}", f"{1000 * cpu / pages:.1f}",
                      f"{_med(got, 'wall'):.2f}"]  # fmt: skip
        ratio = _med(runs.get("blogarchive", []), "cpu") / _med(runs.get("replay", []), "cpu")
        cells.append(f"{ratio:.2f}x")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def targets(results: dict[str, dict[str, list[Run]]]) -> list[str]:
    out = []
    for slug, runs in results.items():
        ba, rp = _med(runs.get("blogarchive", []), "cpu"), _med(runs.get("replay", []), "cpu")
        pages = _med(runs.get("replay", []), "pages")
        if any(math.isnan(x) for x in (pages, ba, rp)):  # a tool failed every run
            out.append(f"[?] {slug}: no result")
            continue
        limit = LARGE if pages >= 200 else SMALL if pages >= 80 else None
        if limit is None:
            out.append(f"[-] {slug}: {pages:.0f} pages, {ba / rp:.2f}x (no target under 80 pages)")
            continue
        ok = "met" if ba <= limit * rp else "NOT met"
        out.append(f"[{ok}] {slug}: {pages:.0f} pages, CPU {ba:.2f} s = {ba / rp:.2f}x the "
                   f"replay's {rp:.2f} s (target <= {limit}x)")  # fmt: skip
    return out
