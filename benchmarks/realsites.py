"""Crawl ten real blogs on loopback and score what became items against their derived truth.

    .venv/bin/python benchmarks/realsites.py                       # all sites, 2 at a time
    .venv/bin/python benchmarks/realsites.py --site 4rkal --site echorand --verbose
    .venv/bin/python benchmarks/realsites.py --no-bare --json out.json   # what the gate runs
    .venv/bin/python benchmarks/realsites.py --latency-ms 30 --jobs 1 --keep
    .venv/bin/python benchmarks/realsites.py --repin               # raise the gate's floors
    .venv/bin/python benchmarks/realsites.py --rev HEAD            # the committed crawler

The sites are ``../shared/realsites/sites/<slug>`` (``--sites-dir``; see its README: real
static output of Hugo, Jekyll, Hexo, Pelican, Ghost and WordPress blogs; never copy those
pages into this repo). For each site, in one temp dir (removed unless ``--keep``):

1. ``serve.py sites/<slug> --port P`` on a free port (``--latency-ms`` passed through); the
   crawl starts at ``http://127.0.0.1:P`` + ``site.json``'s ``home``.
2. ``truth.py sites/<slug> http://127.0.0.1:P --listings FILE``: the posts (``url, title,
   published, authors``) and the listing pages that must not become items.
3. ``python -m crawler.cli crawl --url START`` with politeness lifted for loopback
   (``AUTOTHROTTLE_ENABLED=False DOWNLOAD_DELAY=0 CONCURRENT_REQUESTS_PER_DOMAIN=8``), no sites
   config, in a child process: wall time, CPU (user + sys of that child's ``wait4``
   rusage, via ``crawl_tools.measure``).
4. Unless ``--no-bare``: the bare Scrapy ``CrawlSpider`` of ``crawl_spider.py`` (every
   same-site link, nothing written) on the same server, for its CPU and page count.

The crawls run a copy of ``crawler/`` and ``archive/`` taken at start (``--rev REV``: that
commit, via ``git archive``), so edits made during a run do not mix in. Every child gets a
dead ``http_proxy``/``https_proxy`` with ``no_proxy=127.0.0.1,localhost``, so nothing leaves
the machine.

Metrics (per site, and pooled over all sites in the "all" row):

* **recall**: truth posts whose URL became an item (of any ``kind``), over truth posts.
* **listing items / share**: items whose URL is in the listings file, and their share of all
  items (lower is better; the gate holds a ceiling).
* **items**: JSONL lines written (``items/*.jsonl``); ``pages``: ``response`` + ``revisit``
  records in the crawl's ``warc/*.warc.gz``.
* **title**: over found posts whose truth has a title: equal after HTML unescaping, NFKC,
  casefolding, collapsing whitespace and stripping surrounding quotes/punctuation.
* **date**: over found posts whose truth has ``published``: the item's ``published`` has the
  same ``YYYY-MM-DD`` prefix as the truth's, each in its own stated offset; or, when both are
  full timestamps with offsets, the item's instant falls on the truth's calendar day in the
  truth's offset (the same moment written in another zone). A date-only value on either side
  is compared by its prefix only.
* **author**: over found posts whose truth has authors: the truth's first author, normalised
  (NFKD with accents dropped, casefold, whitespace collapsed, surrounding punctuation and a
  leading "by" stripped), matches one of the item's normalised ``authors``: equal, or one
  name's words all among the other's (the feed's "Daniel" and the byline's "Daniel
  Hollands"). Extra item authors are not penalised; a missing first author is.
* **CPU / bare**: blogarchive's CPU over the bare spider's (which fetches other pages: every
  linked page, no feeds or sitemaps).

URL matching normalises both sides the same way, independent of ``crawler.urls``: scheme and
host lowercased (default port dropped), fragment dropped, the path percent-decoded once and
re-encoded with one safe set, duplicate slashes merged, a final ``index.html``/``index.htm``
dropped and a trailing slash dropped (``/x/index.html`` == ``/x/`` == ``/x``), the query kept
(re-encoded the same way; an empty ``?`` dropped). Path case is kept (static hosts are case
sensitive); ``/x.html`` is not ``/x/``. When an item URL repeats, the first item with
``kind`` "post" (else the first) is scored.

The table goes to stdout (``--verbose`` adds, per site, the missed post URLs, the listing
URLs that became items and the field mismatches); ``--json OUT`` writes every number and
URL list. ``--repin`` raises the floors and lowers the ceilings in
``tests/fixtures/realsites_baseline.json`` to the measured values -/+ 0.01 (never loosens
one; the overall ones only on a run over every site).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, unquote, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import crawl_tools as tools
from crawl import snapshot
from crawl_tools import Ctx

SITES_DIR = ROOT.parent / "shared" / "realsites"
BASELINE = ROOT / "tests" / "fixtures" / "realsites_baseline.json"
MARGIN = 0.01
PYTHON3 = shutil.which("python3") or sys.executable
"""Runs serve.py and truth.py (standard library only)."""
DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=~-._"
_SAFE_QUERY = _SAFE_PATH + "?"
_EDGE = "\"'“”„‘’«»()[]{}<>|,;:.!?-–—·•/\\ "
_LOG_LOCK = threading.Lock()

OVERALL_FLOORS = ("recall", "title_accuracy", "date_accuracy", "author_accuracy")
OVERALL_CEILINGS = ("listing_share",)
SITE_FLOORS = ("recall",)


def log(msg: str) -> None:
    with _LOG_LOCK:
        print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------ normalisers
def norm_url(url: str) -> str:
    """The comparison key of a URL (see the module docstring); never flatters either side."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = unquote(parts.path or "/")
    path = re.sub(r"/{2,}", "/", path)
    path = re.sub(r"/index\.html?$", "/", path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = quote(unquote(parts.query), safe=_SAFE_QUERY) if parts.query else ""
    return urlunsplit((scheme, host, quote(path, safe=_SAFE_PATH), query, ""))


def norm_title(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text or "")).casefold()
    return re.sub(r"\s+", " ", text).strip().strip(_EDGE)


def norm_author(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", html.unescape(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\s+", " ", text).strip().strip(_EDGE)
    return re.sub(r"^by\b\s*:?\s*", "", text).strip(_EDGE)


def _aware(value: str) -> datetime | None:
    """A full timestamp with an offset, else None (date-only or naive values)."""
    if not re.match(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d", value):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def same_day(truth: str, item: str | None) -> bool:
    """The date rule of the module docstring."""
    if not item:
        return False
    if item.strip()[:10] == truth.strip()[:10]:
        return True
    t, i = _aware(truth), _aware(item)
    return t is not None and i is not None and i.astimezone(t.tzinfo).date() == t.date()


def same_author(truth: str, item: str) -> bool:
    """Normalised names match, or one name's words are all among the other's words
    ("daniel" and "daniel hollands"; "answer(weijie yuan)" and "answer")."""
    if truth == item:
        return True
    a, b = set(re.findall(r"\w+", truth)), set(re.findall(r"\w+", item))
    return bool(a and b) and (a <= b or b <= a)


def item_authors(item: dict[str, Any]) -> set[str]:
    names = item.get("authors")
    if not isinstance(names, list):
        names = [item["author"]] if isinstance(item.get("author"), str) else []
    return {norm_author(n) for n in names if isinstance(n, str) and norm_author(n)}


# ------------------------------------------------------------------------ reading
def read_jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
    return out


def read_items(data: Path) -> list[dict[str, Any]]:
    files = sorted((data / "items").glob("*.jsonl")) + sorted((data / "items").glob("*.open"))
    return [item for path in files for item in read_jsonl(path) if isinstance(item.get("url"), str)]


def count_pages(data: Path) -> int:
    """HTTP ``response`` + ``revisit`` records in the crawl's WARC files."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pages = 0
    for path in sorted(p for p in (data / "warc").glob("*.warc.gz*") if p.suffix != ".cdxj"):
        with path.open("rb") as stream:
            try:
                for record in ArchiveIterator(stream):
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    if record.rec_type in ("response", "revisit") and uri.startswith("http"):
                        pages += 1
            except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
                # a torn last record: count what came before it
                log(f"  {path.name}: {exc}")
    return pages


# ------------------------------------------------------------------------ scoring
@dataclass
class Score:
    truth_posts: int = 0
    found: int = 0
    items: int = 0
    listing_items: int = 0
    other_items: int = 0
    title_ok: int = 0
    title_n: int = 0
    date_ok: int = 0
    date_n: int = 0
    author_ok: int = 0
    author_n: int = 0
    items_by_kind: dict[str, int] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    listing_urls: list[str] = field(default_factory=list)
    posts_as_page: list[str] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)


def _pick(items: list[dict[str, Any]]) -> dict[str, Any]:
    return next((i for i in items if i.get("kind") == "post"), items[0])


def score(
    posts: list[dict[str, Any]], listings: list[dict[str, Any]], items: list[dict[str, Any]]
) -> Score:
    by_url: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_url.setdefault(norm_url(item["url"]), []).append(item)
    truth = {norm_url(p["url"]): p for p in posts}
    listing_kind = {norm_url(x["url"]): str(x.get("kind")) for x in listings}
    s = Score(truth_posts=len(truth), items=len(items))
    s.items_by_kind = dict(Counter(str(i.get("kind", "absent")) for i in items))
    for item in items:
        key = norm_url(item["url"])
        if key in truth:
            continue
        if key in listing_kind:
            s.listing_items += 1
            s.listing_urls.append(f"{item['url']} ({listing_kind[key]})")
        else:
            s.other_items += 1
    for key, post in truth.items():
        if key not in by_url:
            s.missed.append(post["url"])
            continue
        s.found += 1
        item = _pick(by_url[key])
        if item.get("kind") == "page":
            s.posts_as_page.append(post["url"])
        if post.get("title"):
            s.title_n += 1
            if norm_title(post["title"]) == norm_title(item.get("title")):
                s.title_ok += 1
            else:
                s.mismatches.append(_diff(post, "title", post["title"], item.get("title")))
        if post.get("published"):
            s.date_n += 1
            if same_day(post["published"], item.get("published")):
                s.date_ok += 1
            else:
                s.mismatches.append(
                    _diff(post, "published", post["published"], item.get("published"))
                )
        first = norm_author((post.get("authors") or [None])[0])
        if first:
            s.author_n += 1
            if any(same_author(first, name) for name in item_authors(item)):
                s.author_ok += 1
            else:
                s.mismatches.append(_diff(post, "authors", post["authors"], item.get("authors")))
    s.missed.sort()
    s.listing_urls.sort()
    return s


def _diff(post: dict[str, Any], name: str, truth: Any, got: Any) -> dict[str, Any]:
    return {"url": post["url"], "field": name, "truth": truth, "item": got}


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def metrics(s: Score) -> dict[str, float | None]:
    return {
        "recall": _ratio(s.found, s.truth_posts),
        "listing_share": _ratio(s.listing_items, s.items),
        "title_accuracy": _ratio(s.title_ok, s.title_n),
        "date_accuracy": _ratio(s.date_ok, s.date_n),
        "author_accuracy": _ratio(s.author_ok, s.author_n),
    }


# ------------------------------------------------------------------------ running
@dataclass
class SiteRun:
    site: str
    generator: str = ""
    start_url: str = ""
    score: Score = field(default_factory=Score)
    pages: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    rss_mb: float = 0.0
    crawl_rc: int | None = None
    bare_pages: int | None = None
    bare_cpu: float | None = None
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(metrics(self.score))
        out["cpu_ratio"] = self.cpu / self.bare_cpu if self.bare_cpu else None
        return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    import http.client

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
    try:
        conn.request("GET", parts.path or "/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


class Server:
    """``serve.py`` for one site on a free loopback port; stopped on exit, whatever happens."""

    def __init__(self, sites_dir: Path, slug: str, home: str, latency: float, work: Path):
        self.sites_dir, self.slug, self.home = sites_dir, slug, home
        self.latency, self.work = latency, work
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def __enter__(self) -> Self:
        for _ in range(5):
            port = free_port()
            cmd = [PYTHON3, "serve.py", f"sites/{self.slug}", "--port", str(port)]
            if self.latency:
                cmd += ["--latency-ms", f"{self.latency:g}"]
            with (self.work / "serve.log").open("ab") as out:
                self.proc = subprocess.Popen(
                    cmd, cwd=self.sites_dir, stdout=out, stderr=out, env=tools.child_env()
                )
            self.base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.proc.poll() is None:
                if _answers(self.base + self.home):
                    return self
                time.sleep(0.1)
            self.stop()
        raise RuntimeError(f"serve.py did not start for {self.slug}: see {self.work}/serve.log")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_site(
    sites_dir: Path, slug: str, args: argparse.Namespace, tmp: Path, pythonpath: str
) -> SiteRun:
    work = tmp / slug
    work.mkdir(parents=True)
    meta = json.loads((sites_dir / "sites" / slug / "site.json").read_text(encoding="utf-8"))
    run = SiteRun(site=slug, generator=str(meta.get("generator", "")))
    home = str(meta.get("home") or "/")
    with Server(sites_dir, slug, home, args.latency_ms, work) as srv:
        run.start_url = srv.base + home
        listings_file, posts_file = work / "listings.jsonl", work / "posts.jsonl"
        with posts_file.open("wb") as out, (work / "truth.err").open("wb") as err:
            truth = subprocess.run(
                [PYTHON3, "truth.py", f"sites/{slug}", srv.base, "--listings", str(listings_file)],
                cwd=sites_dir,
                stdout=out,
                stderr=err,
                env=tools.child_env(),
                timeout=600,
                check=False,
            )
        if truth.returncode != 0:
            run.errors.append(f"truth.py exit {truth.returncode}: {tools.tail(work / 'truth.err')}")
        posts, listings = read_jsonl(posts_file), read_jsonl(listings_file)
        log(f"{slug}: {len(posts)} truth posts, {len(listings)} listings; crawling {run.start_url}")

        crawl = work / "blogarchive"
        crawl.mkdir()
        data = crawl / "data"
        env = {**tools.child_env(pythonpath), "BLOGARCHIVE_CONFIG": str(crawl / "no-sites.toml")}
        measured, rc = tools.measure(
            tools.blogarchive_cmd(Ctx(run.start_url, crawl), data), crawl, env, crawl / "out.log"
        )
        run.cpu, run.wall, run.rss_mb, run.crawl_rc = (
            measured.cpu,
            measured.wall,
            measured.rss_mb,
            rc,
        )
        if rc != 0:
            tail = tools.tail(crawl / "out.err") or tools.tail(crawl / "out.log")
            run.errors.append(f"crawl exit {rc}: {tail}")
        run.pages = count_pages(data)
        run.score = score(posts, listings, read_items(data))
        log(
            f"{slug}: crawl {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, {run.pages} pages, "
            f"{run.score.items} items, {run.score.found}/{run.score.truth_posts} posts"
        )
        if not args.no_bare:
            bare = work / "bare"
            bare.mkdir()
            b = tools.run_scrapy(Ctx(run.start_url, bare))
            run.bare_pages, run.bare_cpu = b.pages, b.cpu
            if not b.ok:
                run.errors.append(f"bare spider: {b.note}")
            log(f"{slug}: bare spider {b.wall:.1f} s wall, {b.cpu:.1f} s CPU, {b.pages} pages")
    return run


# ------------------------------------------------------------------------ reporting
def pooled(runs: list[SiteRun]) -> dict[str, Any]:
    total = Score()
    for r in runs:
        for name in ("truth_posts", "found", "items", "listing_items", "other_items"):
            setattr(total, name, getattr(total, name) + getattr(r.score, name))
        for name in ("title", "date", "author"):
            for part in ("_ok", "_n"):
                key = name + part
                setattr(total, key, getattr(total, key) + getattr(r.score, key))
    bare = [r.bare_cpu for r in runs if r.bare_cpu is not None]
    out: dict[str, Any] = {k: v for k, v in asdict(total).items() if not isinstance(v, list | dict)}
    out.update(metrics(total))
    out.update(
        pages=sum(r.pages for r in runs),
        cpu=sum(r.cpu for r in runs),
        wall=sum(r.wall for r in runs),
        bare_pages=sum(r.bare_pages or 0 for r in runs) if bare else None,
        bare_cpu=sum(bare) if bare else None,
    )
    out["cpu_ratio"] = (
        out["cpu"] / out["bare_cpu"]
        if bare and len(bare) == len(runs) and out["bare_cpu"]
        else None
    )
    return out


def _acc(ok: int, n: int) -> str:
    return f"{ok / n:.2f} ({ok}/{n})" if n else "-"


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if value is None else fmt.format(value)


def table(runs: list[SiteRun], overall: dict[str, Any]) -> str:
    head = (
        "| site | gen | truth posts | recall | listing items | listing share | items "
        "| title | date | author | pages | CPU s | wall s | bare pages | bare CPU s | CPU / bare |"
    )
    rows = [head, "|" + "---|" * 16]

    def row(name: str, gen: str, d: dict[str, Any]) -> str:
        share = _num(_ratio(d["listing_items"], d["items"]), "{:.2f}")
        return (
            f"| {name} | {gen} | {d['truth_posts']} | {_acc(d['found'], d['truth_posts'])} "
            f"| {d['listing_items']} | {share} | {d['items']} "
            f"| {_acc(d['title_ok'], d['title_n'])} | {_acc(d['date_ok'], d['date_n'])} "
            f"| {_acc(d['author_ok'], d['author_n'])} | {d['pages']} | {d['cpu']:.1f} "
            f"| {d['wall']:.1f} | {_num(d['bare_pages'], '{}')} | {_num(d['bare_cpu'])} "
            f"| {_num(d['cpu_ratio'], '{:.2f}x')} |"
        )

    for r in runs:
        d = {**asdict(r.score), **r.as_json()}
        name = r.site + (" (!)" if r.errors else "")
        rows.append(row(name, r.generator, d))
    rows.append(row("**all**", "", overall))
    return "\n".join(rows)


def details(runs: list[SiteRun]) -> Iterator[str]:
    for r in runs:
        s = r.score
        yield f"\n### {r.site}: {len(s.missed)} missed posts, {s.listing_items} listing items"
        yield from (f"- error: {e}" for e in r.errors)
        yield from (f"- missed: {u}" for u in s.missed)
        yield from (f"- listing item: {u}" for u in s.listing_urls)
        yield from (f"- post with kind 'page': {u}" for u in s.posts_as_page)
        for m in s.mismatches:
            yield f"- {m['field']} differs: {m['url']}: truth {m['truth']!r}, item {m['item']!r}"


# ------------------------------------------------------------------------ repin
def repin(result: dict[str, Any], path: Path, every_site: bool) -> None:
    """Floors up to measured - MARGIN, ceilings down to measured + MARGIN; never loosen."""
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = {
            "about": (
                "Gate of tests/test_realsites_gate.py (benchmarks/realsites.py on "
                "../shared/realsites): floors are measured - 0.01, ceilings measured + 0.01; "
                "`benchmarks/realsites.py --repin` only ever tightens them."
            ),
            "measured": {"overall": {}, "sites": {}},
            "floors": {"overall": {}, "sites": {}},
            "ceilings": {"overall": {}},
        }

    def tighten(table: dict[str, Any], key: str, value: float | None, up: bool, where: str) -> None:
        if value is None:
            return
        new = round(max(0.0, value - MARGIN) if up else min(1.0, value + MARGIN), 4)
        old = table.get(key)
        if old is not None and (new < old if up else new > old):
            kind = "floor" if up else "ceiling"
            log(f"{where} {key}: {value:.4f} is past the {kind} {old}: {kind} kept")
            return
        table[key] = new

    for site in result["sites"]:
        name = site["site"]
        data["measured"]["sites"][name] = {k: _round(site[k]) for k in SITE_FLOORS}
        floors = data["floors"]["sites"].setdefault(name, {})
        for key in SITE_FLOORS:
            tighten(floors, key, site[key], True, name)
    if every_site:
        overall = result["overall"]
        data["measured"]["overall"] = {
            k: _round(overall[k]) for k in OVERALL_FLOORS + OVERALL_CEILINGS
        }
        for key in OVERALL_FLOORS:
            tighten(data["floors"]["overall"], key, overall[key], True, "overall")
        for key in OVERALL_CEILINGS:
            tighten(data["ceilings"]["overall"], key, overall[key], False, "overall")
    else:
        log("--repin with --site: per-site floors only")
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    log(f"baseline written: {path}")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ------------------------------------------------------------------------ main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--sites-dir", type=Path, default=SITES_DIR, help=f"default {SITES_DIR}")
    p.add_argument("--site", action="append", default=[], help="only this site (repeatable)")
    p.add_argument("--json", type=Path, help="write every number and URL list here")
    p.add_argument("--no-bare", action="store_true", help="skip the bare Scrapy baseline")
    p.add_argument("--latency-ms", type=float, default=0.0, help="serve.py delay per request")
    p.add_argument("--jobs", type=int, default=2, help="sites at a time (default 2)")
    p.add_argument("--timeout", type=float, default=900, help="seconds before a crawl is killed")
    p.add_argument("--verbose", "-v", action="store_true", help="missed and listing URLs")
    p.add_argument("--repin", action="store_true", help=f"tighten {BASELINE.name}")
    p.add_argument("--baseline", type=Path, default=BASELINE, help=argparse.SUPPRESS)
    p.add_argument(
        "--rev",
        default="worktree",
        help="crawler/ and archive/ to run: a git revision (e.g. HEAD), or 'worktree' "
        "(default: a copy of the working tree taken at start)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sites_dir = args.sites_dir.resolve()
    if not (sites_dir / "serve.py").exists() or not (sites_dir / "truth.py").exists():
        print(f"no serve.py/truth.py in {sites_dir} (../shared/realsites)", file=sys.stderr)
        return 2
    available = sorted(p.name for p in (sites_dir / "sites").iterdir() if p.is_dir())
    unknown = set(args.site) - set(available)
    if unknown:
        print(f"unknown sites: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    slugs = [s for s in available if s in args.site] if args.site else available
    tools.TIMEOUT = args.timeout
    tmp = Path(tempfile.mkdtemp(prefix="blogarchive-realsites-"))
    started = time.monotonic()
    runs: dict[str, SiteRun] = {}
    try:
        pythonpath = str(snapshot(args.rev, tmp / "src"))
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = {pool.submit(run_site, sites_dir, s, args, tmp, pythonpath): s for s in slugs}
            for future in concurrent.futures.as_completed(futures):
                slug = futures[future]
                try:
                    runs[slug] = future.result()
                except Exception as exc:  # noqa: BLE001 (one site's failure keeps the others)
                    log(f"{slug}: FAILED {exc!r}")
                    runs[slug] = SiteRun(site=slug, errors=[repr(exc)])
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    ordered = [runs[s] for s in slugs]
    code = "copy of the working tree" if args.rev == "worktree" else f"git {args.rev}"
    overall = pooled(ordered)
    elapsed = time.monotonic() - started
    print(table(ordered, overall))
    print(
        f"\n{len(ordered)} sites in {elapsed:.0f} s ({args.jobs} at a time, "
        f"latency {args.latency_ms:g} ms); {os.cpu_count()} CPUs; code: {code}"
    )
    for r in ordered:
        for e in r.errors:
            print(f"(!) {r.site}: {e}")
    if args.verbose:
        print("\n".join(details(ordered)))
    result = {
        "elapsed_s": elapsed,
        "latency_ms": args.latency_ms,
        "rev": args.rev,
        "sites": [r.as_json() for r in ordered],
        "overall": overall,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if args.repin:
        repin(result, args.baseline, every_site=not args.site)
    return 1 if any(r.errors and r.crawl_rc is None for r in ordered) else 0


if __name__ == "__main__":
    sys.exit(main())
