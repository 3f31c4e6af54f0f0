"""Race blogarchive's full crawl pipeline against its peers, like with like (issues 8, 21).

    .venv/bin/python benchmarks/crawl.py                       # 600 and 1,000 posts, 0 and 30 ms, 3 rounds
    .venv/bin/python benchmarks/crawl.py --posts 300 --latency 0 --repeat 1 --tools blogarchive,replay
    .venv/bin/python benchmarks/crawl.py --realsites           # the real blogs of ../shared/realsites, 30 ms
    .venv/bin/python benchmarks/crawl.py --rss-scan 1000,10000  # blogarchive's peak RSS per N
    .venv/bin/python benchmarks/crawl.py --profile             # one crawl under py-spy, summarised
    .venv/bin/python benchmarks/crawl.py --variant 'no-index:ARCHIVE_INDEX_ENABLED=False'  # and without the index

Serves a generated Blogger-style blog (``tests/sites``, pages padded to 30-60 KB with theme
CSS, widgets and inline scripts, see ``crawl_site.py``) on 127.0.0.1 with a per-request
delay, then crawls it in turn, round-robin, ``--repeat`` times with:

* ``blogarchive``: ``python -m crawler.cli crawl --url`` (fetch, parse, WARC, JSONL, index),
  page requisites off;
* ``replay``: a bare Scrapy spider fetching the URLs of that round's blogarchive WARC request
  records, in order, each once: the baseline the ratios are taken against;
* ``wget``: ``wget --recursive --level=inf --no-parent -e robots=on --warc-file``;
* ``scrapy`` (not by default): a bare CrawlSpider following every same-host link, and
  ``scrapy-webarchive``: it plus a WACZ exporter, own venv (by default only when ready).

All Scrapy runs lift politeness for loopback (AutoThrottle off, no delay, 8 per domain).
Wall and CPU time (the whole process, start-up included) come from each child's ``wait4``
rusage, peak RSS from /proc. Everything is written under one temp dir, removed at the end
(``--keep`` keeps it). Nothing leaves the machine: children get a dead proxy for any host
but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import crawl_tools as tools
from crawl_tools import COMMON, LOOPBACK, TOOLS, Ctx, Run

SITES_DIR = tools.REPO.parent / "shared" / "realsites"

CPU_TARGET = 1.5
"""blogarchive's CPU may be at most this multiple of the replay's (same URLs, start-up in)."""
RSS_FLAT = 1.25
"""'Flat' peak RSS: the largest N may use at most this multiple of the smallest N's."""


def default_tools() -> list[str]:
    """Every tool but the link-following spider; scrapy-webarchive when its venv is ready."""
    ready = (tools.WEBARCHIVE_VENV / ".ready").exists()
    return [t for t in TOOLS if t != "scrapy" and (ready or t != "scrapy-webarchive")]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average ?"


def machine() -> str:
    model = "?"
    mem = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    import scrapy

    wget = subprocess.run([tools.WGET, "--version"], capture_output=True, text=True, check=False)
    return (
        f"machine: {model}, {len(__import__('os').sched_getaffinity(0))} CPUs, {mem:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"Scrapy {scrapy.__version__}, {wget.stdout.splitlines()[0] if wget.stdout else 'no wget'}"
        f"; {load()} at start"
    )


SNAPSHOT = ("crawler", "archive", "tests/__init__.py", "tests/sites", "tests/support")
"""The product, and the fixture blog generator and servers that serve the benchmark site."""


def snapshot(rev: str, into: Path) -> Path:
    """:data:`SNAPSHOT` of REV (``git archive``, the repo is not touched; REV must have
    ``tests/sites``), or of the working tree for ``worktree``: a copy, so edits made during
    the run do not mix in."""
    if rev == "worktree":
        for name in SNAPSHOT:
            src, dst = tools.REPO / name, into / name
            if src.is_dir():
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        return tools.compiled(into)
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(tools.REPO), "archive", rev, *SNAPSHOT],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return tools.compiled(into)


def _ms(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _variant(text: str) -> tuple[str, dict[str, str]]:
    name, sep, rest = text.partition(":")
    if not sep or not name.strip() or not rest.strip():
        raise argparse.ArgumentTypeError(f"expected NAME:SETTING=VALUE[,...], got {text!r}")
    return f"blogarchive:{name.strip()}", dict(_setting(part) for part in rest.split(","))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--posts", type=_ints, default=[600, 1000], help="blog sizes (default 600,1000)")
    p.add_argument("--latency", type=_ms, help="ms per request (default 0,30; 30 on real blogs)")
    p.add_argument("--repeat", type=int, default=3, help="runs per tool and latency (default 3)")
    p.add_argument("--tools", default=",".join(default_tools()), help=f"of {','.join(TOOLS)}")
    p.add_argument(
        "--realsites",
        nargs="?",
        const=str(SITES_DIR),
        metavar="DIR",
        help=f"race on the real blogs of DIR (default {SITES_DIR}) instead of a generated one",
    )
    p.add_argument("--site", action="append", default=[], help="with --realsites: only this one")
    p.add_argument("--blog", choices=("blogger", "wordpress"), default="blogger")
    p.add_argument("--page-kb", default="32-56", help="target HTML page size range in KB")
    p.add_argument("--rss-scan", type=_ints, metavar="N,N,...", help="blogarchive peak RSS per N")
    p.add_argument("--profile", action="store_true", help="one blogarchive crawl under py-spy")
    p.add_argument("--profile-rate", type=int, default=200, help="py-spy samples/s")
    p.add_argument(
        "--rev",
        default="worktree",
        help="crawler/ and archive/ to run, with the tests/sites that render the site: a git "
        "revision, or 'worktree' (default: a copy of the working tree taken at start)",
    )
    p.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed")
    p.add_argument(
        "--set",
        type=_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the blogarchive runs (repeatable), e.g. to compare a default",
    )
    p.add_argument(
        "--variant",
        type=_variant,
        action="append",
        default=[],
        metavar="NAME:SETTING=VALUE[,...]",
        help="also run blogarchive with these settings, as tool blogarchive:NAME, in every "
        "round after the replay (repeatable), e.g. to see what a part costs with it off",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = p.parse_args(argv)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    args.tools.sort(key=lambda t: TOOLS.index(t) if t in TOOLS else -1)  # replay after blogarchive
    unknown = set(args.tools) - set(TOOLS)
    if unknown:
        p.error(f"unknown tools: {', '.join(sorted(unknown))}")
    after = args.tools.index("replay") + 1 if "replay" in args.tools else 1
    args.tools[after:after] = list(dict(args.variant))
    if args.latency is None:
        args.latency = [30.0] if args.realsites else [0.0, 30.0]
    lo, _, hi = args.page_kb.partition("-")
    args.page_kb = (int(lo), int(hi or lo))
    return args


def settings_text(args: argparse.Namespace, srv_sizes: list[int], posts: int, pages: int) -> str:
    kb = [s / 1024 for s in srv_sizes]
    lift = " ".join(f"{k}={v}" for k, v in LOOPBACK.items())
    common = " ".join(f"{k}={v}" for k, v in COMMON.items() if k != "USER_AGENT")
    return "\n".join(
        [
            (
                f"site: generated {args.blog} blog, {posts} posts, {pages} resources, "
                f"{len(kb)} HTML pages of {min(kb):.0f}-{max(kb):.0f} KB "
                f"(median {statistics.median(kb):.0f} KB), gzip when asked, on 127.0.0.1"
            ),
            f"politeness LIFTED for loopback (every Scrapy run): {lift}",
            f"bare Scrapy / scrapy-webarchive also: {common}",
            (
                "blogarchive: its project settings + the lift above (robots.txt obeyed, "
                "CONCURRENT_REQUESTS = the per-host limit, WARC gzip level per "
                "crawler/settings.py)"
            ),
            "wget: --recursive --level=inf --no-parent -e robots=on --warc-file (one connection)",
            (
                f"source: {'git ' + args.rev if args.rev != 'worktree' else 'copy of the working tree'}"
                f" of {tools.REPO} ({', '.join(SNAPSHOT)})"
            ),
        ]
    )


def _med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def baseline(runs: dict[str, list[Run]]) -> str:
    """The peer the ratios are taken against: the replay (same URLs) when it ran."""
    return next((t for t in ("replay", "scrapy") if any(r.ok for r in runs.get(t, []))), "")


def table(runs: dict[str, list[Run]], order: list[str]) -> str:
    base_tool = baseline(runs)
    head = (
        "| tool | pages | posts | wall s (min-max) | CPU s | CPU ms/page | peak RSS MB | WARC MB "
        f"| wall / {base_tool or '-'} | CPU / {base_tool or '-'} |"
    )
    rows = [head, "|" + "---|" * 10]
    base = [r for r in runs.get(base_tool, []) if r.ok]
    base_wall, base_cpu = _med([r.wall for r in base]), _med([r.cpu for r in base])
    for tool in order:
        good = [r for r in runs.get(tool, []) if r.ok]
        if not good:
            notes = {r.note for r in runs.get(tool, [])} or {"not run"}
            rows.append(f"| {tool} | - | - | failed: {'; '.join(notes)[:150]} | | | | | | |")
            continue
        wall, cpu = _med([r.wall for r in good]), _med([r.cpu for r in good])
        pages = int(_med([r.pages for r in good]))
        posts = "-" if good[0].posts is None else str(int(_med([r.posts or 0 for r in good])))
        span = f"{wall:.2f} ({min(r.wall for r in good):.2f}-{max(r.wall for r in good):.2f})"
        ratio_w = f"{wall / base_wall:.2f}x" if base else "-"
        ratio_c = f"{cpu / base_cpu:.2f}x" if base else "-"
        failed = len(runs[tool]) - len(good)
        tag = f" ({failed} failed)" if failed else ""
        rows.append(
            f"| {tool}{tag} | {pages} | {posts} | {span} | {cpu:.2f} | {1000 * cpu / pages:.1f} "
            f"| {_med([r.rss_mb for r in good]):.0f} "
            f"| {_med([r.warc_bytes for r in good]) / 1e6:.1f} | {ratio_w} | {ratio_c} |"
        )
    return "\n".join(rows)


def run_tool(tool: str, ctx: Ctx, webarchive: str | None, urls: list[str]) -> Run:
    """One run of ``tool``; ``urls``: what blogarchive fetched in this round, for the replay."""
    runners: dict[str, Callable[[Ctx], Run]] = {
        "blogarchive": tools.run_blogarchive,
        "scrapy": tools.run_scrapy,
        "wget": tools.run_wget,
    }
    if tool in tools.VARIANTS:
        ctx.settings = tools.VARIANTS[tool]
        run = tools.run_blogarchive(ctx)
    elif tool == "scrapy-webarchive":
        assert webarchive is not None
        run = tools.run_webarchive(ctx, webarchive)
    elif tool == "replay":
        run = tools.run_replay(ctx, urls) if urls else Run(tool, ok=False, note="no URLs")
    else:
        run = runners[tool](ctx)
    run.tool = tool
    return run


def round_robin(
    make_ctx: Callable[[str, int], Ctx], order: list[str], repeat: int, webarchive: str | None,
    label: str,
) -> dict[str, list[Run]]:  # fmt: skip
    """``repeat`` rounds of every tool in turn; the replay follows blogarchive's round."""
    runs: dict[str, list[Run]] = {t: [] for t in order}
    for rep in range(repeat):
        urls: list[str] = []
        for tool in order:
            run = run_tool(tool, make_ctx(tool, rep), webarchive, urls)
            urls = run.urls if tool == "blogarchive" else urls
            runs[tool].append(run)
            state = "ok" if run.ok else f"FAILED {run.note}"
            log(f"  {label} #{rep + 1} {tool}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
                f"{run.pages} pages, {run.rss_mb:.0f} MB ({state})")  # fmt: skip
    return runs


def targets(results: dict[float, dict[str, list[Run]]], posts: int) -> list[str]:
    def med(lat: float, tool: str, attr: str) -> float | None:
        good = [getattr(r, attr) for r in results.get(lat, {}).get(tool, []) if r.ok]
        return _med(good) if good else None

    out = []
    for lat in results:
        ba, rp = med(lat, "blogarchive", "cpu"), med(lat, "replay", "cpu")
        if ba and rp:
            ok = "met" if ba <= CPU_TARGET * rp else "NOT met"
            out.append(f"[{ok}] {posts} posts, {lat:g} ms: blogarchive CPU {ba:.1f} s = "
                       f"{ba / rp:.2f}x the replay's {rp:.1f} s (target <= {CPU_TARGET}x)")  # fmt: skip
        ba, wg = med(lat, "blogarchive", "wall"), med(lat, "wget", "wall")
        if ba and wg and lat >= 30:
            ok = "met" if ba <= wg / 3 else "NOT met"
            out.append(f"[{ok}] {posts} posts, {lat:g} ms: blogarchive wall {ba:.1f} s = "
                       f"1/{wg / ba:.1f} of wget's {wg:.1f} s (target <= 1/3)")  # fmt: skip
    return out


def race(args: argparse.Namespace, tmp: Path, pythonpath: str | None) -> None:
    from crawl_site import BenchServer, html_sizes

    webarchive = None
    if "scrapy-webarchive" in args.tools:
        webarchive, info = tools.webarchive_python(log)
        print(f"scrapy-webarchive: {info}" if webarchive else f"scrapy-webarchive SKIPPED: {info}")
        if webarchive is None:
            args.tools.remove("scrapy-webarchive")
    for posts in args.posts:
        log(f"building the {posts}-post site ...")
        with BenchServer(args.blog, posts, args.page_kb) as srv:
            print(settings_text(args, html_sizes(srv.site), srv.post_count, len(srv.site)))
            print(f"runs: {args.repeat} per tool and latency, round-robin; medians below\n")
            results: dict[float, dict[str, list[Run]]] = {}
            for latency in args.latency:
                srv.set_latency(latency / 1000)

                def ctx(tool: str, rep: int, posts: int = posts, latency: float = latency) -> Ctx:
                    work = tmp / "runs" / f"{posts}-{latency:g}ms-{tool}-{rep}"
                    work.mkdir(parents=True)
                    return Ctx(srv.url, work, pythonpath)

                label = f"{posts} posts {latency:g} ms"
                results[latency] = round_robin(ctx, args.tools, args.repeat, webarchive, label)
                if not args.keep:
                    shutil.rmtree(tmp / "runs", ignore_errors=True)
                print(f"latency {latency:g} ms per request, N={srv.post_count} posts:\n")
                print(table(results[latency], args.tools), "\n", flush=True)
        print(f"targets (issue 21, medians of this run, {posts} posts):")
        for line in targets(results, posts) or ["(need blogarchive and its peer in one run)"]:
            print("  " + line)
    print("  peak RSS flat from 1,000 to 10,000 posts: see --rss-scan")


def rss_scan(args: argparse.Namespace, tmp: Path, pythonpath: str | None) -> None:
    from crawl_site import BenchServer

    print(f"blogarchive peak RSS by blog size (latency 0, {args.repeat} run(s) each, medians):\n")
    rows = ["| posts | pages | posts archived | wall s | CPU s | peak RSS MB | WARC MB |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    peaks: dict[int, float] = {}
    for n in args.rss_scan:
        log(f"building the {n}-post site ...")
        with BenchServer(args.blog, n, args.page_kb) as srv:
            good: list[Run] = []
            for rep in range(args.repeat):
                work = tmp / "scan" / f"{n}-{rep}"
                work.mkdir(parents=True)
                run = tools.run_blogarchive(Ctx(srv.url, work, pythonpath))
                log(f"  N={n} #{rep + 1}: {run.wall:.1f} s, {run.rss_mb:.0f} MB, "
                    f"{run.pages} pages {'ok' if run.ok else run.note}")  # fmt: skip
                if run.ok:
                    good.append(run)
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
        if not good:
            rows.append(f"| {n} | failed | | | | | |")
            continue
        peaks[n] = _med([r.rss_mb for r in good])
        rows.append(
            f"| {n} | {int(_med([r.pages for r in good]))} | {int(_med([r.posts or 0 for r in good]))} "
            f"| {_med([r.wall for r in good]):.1f} | {_med([r.cpu for r in good]):.1f} "
            f"| {peaks[n]:.0f} | {_med([r.warc_bytes for r in good]) / 1e6:.1f} |"
        )
    print("\n".join(rows), "\n")
    if len(peaks) >= 2:
        lo, hi = min(peaks), max(peaks)
        ratio = peaks[hi] / peaks[lo]
        ok = "met" if ratio <= RSS_FLAT else "NOT met"
        per_k = (peaks[hi] - peaks[lo]) / ((hi - lo) / 1000)
        print(f"[{ok}] peak RSS {peaks[lo]:.0f} MB at N={lo} -> {peaks[hi]:.0f} MB at N={hi}: "
              f"{ratio:.2f}x, +{per_k:.1f} MB per 1,000 posts (flat: <= {RSS_FLAT}x)")  # fmt: skip


def profile(args: argparse.Namespace, tmp: Path, pythonpath: str | None) -> None:
    from crawl_site import BenchServer

    latency = args.latency[0]
    with BenchServer(args.blog, args.posts[0], args.page_kb) as srv:
        srv.set_latency(latency / 1000)
        work = tmp / "profile"
        work.mkdir()
        what = f"blogarchive crawl of {args.posts[0]} posts at {latency:g} ms"
        profile_crawl(args, Ctx(srv.url, work, pythonpath), what)


def profile_crawl(args: argparse.Namespace, ctx: Ctx, what: str) -> None:
    """Run one blogarchive crawl of ``ctx`` under py-spy and print where its CPU went."""
    import crawl_profile

    work = ctx.work
    out = work / "profile.raw"
    cmd = crawl_profile.record_cmd(
        out, args.profile_rate, tools.blogarchive_cmd(ctx, work / "data")
    )
    run, rc = tools.measure(cmd, work, ctx.env(), work / "out.log")
    print(f"profile: {what} under py-spy: "
          f"{run.wall:.1f} s wall, {run.cpu:.1f} s CPU (py-spy included), exit {rc}\n")  # fmt: skip
    err = (work / "out.err").read_text(errors="replace")
    if not out.exists() or "Traceback (most recent call last)" in err:
        print("the profiled crawl failed:", err[-800:])
        return
    prof = crawl_profile.load_raw(out, args.profile_rate)
    print(crawl_profile.summarise(prof, run.cpu))
    if args.keep:
        print(f"\nraw stacks: {out}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tools.TIMEOUT = args.timeout
    tools.BLOGARCHIVE_SETTINGS.update(args.set)
    tools.VARIANTS.update(args.variant)
    tmp = Path(tempfile.mkdtemp(prefix="blogarchive-bench-"))
    started = time.monotonic()
    try:
        src = snapshot(args.rev, tmp / "src")
        pythonpath = str(src)
        sys.path.insert(0, pythonpath)  # the server's fixture blog from the same revision
        print(machine())
        if args.set:
            print("blogarchive runs also get: " + " ".join(f"-s {k}={v}" for k, v in args.set))
        if args.realsites:
            import crawl_real

            crawl_real.race(args, tmp, pythonpath)
        elif args.rss_scan:
            rss_scan(args, tmp, pythonpath)
        elif args.profile:
            profile(args, tmp, pythonpath)
        else:
            race(args, tmp, pythonpath)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{load()} at the end (other work on this machine makes wall times noisy)")
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
