"""The crawlers that ``benchmarks/crawl.py`` races, and how one run of each is measured.

Each run is a child process: wall time from spawn to exit, CPU time (user + sys) from that
child's own ``os.wait4`` rusage (per child, not the RUSAGE_CHILDREN aggregate; it includes
the processes the child started and waited for: blogarchive's parsing workers). Peak RSS
is the child's ``VmHWM`` from /proc, or the sum of its and its descendants' resident sets
where larger, sampled every 20 ms: ``ru_maxrss`` would not do, as Linux counts the
pre-exec copy of the parent in it (and the parent holds the whole served site).
Every child gets ``http_proxy``/``https_proxy`` pointing at a closed loopback port with
``no_proxy=127.0.0.1,localhost``: a request to any other host fails instead of leaving the box.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPIDER = HERE / "crawl_spider.py"
REPLAY = HERE / "crawl_replay.py"
WGET = "/usr/bin/wget"
WEBARCHIVE_VENV = Path("/tmp/blogarchive-bench-venvs/scrapy-webarchive")
# Scrapy 2.11 (the newest scrapy-webarchive allows) imports w3lib helpers that w3lib 2.2 dropped.
# scrapy-webarchive needs Scrapy 2.11, which needs an older w3lib and Twisted.
WEBARCHIVE_REQ = ["scrapy-webarchive", "w3lib<2.2", "Twisted<24"]

# Politeness lifted for loopback (crawler/runner.py LOOPBACK_SETTINGS), same for every Scrapy.
LOOPBACK = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}
# blogarchive's own values of the settings the bare spiders would otherwise get from Scrapy.
COMMON = {
    "CONCURRENT_REQUESTS": "16",
    "ROBOTSTXT_OBEY": "True",
    "DOWNLOAD_TIMEOUT": "30",
    "RETRY_TIMES": "2",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
    "USER_AGENT": "blogarchive-bench/0.1 (loopback benchmark)",
}
TOOLS = ("blogarchive", "replay", "scrapy", "wget", "scrapy-webarchive")
"""``replay``: bare Scrapy fetching blogarchive's URLs; ``scrapy``: a bare link-following crawl."""
VARIANTS: dict[str, dict[str, str]] = {}
"""``blogarchive:NAME`` tools (``crawl.py --variant``): blogarchive with these settings."""
TIMEOUT = 1800.0
"""Seconds before a run is killed (and reported as failed)."""
BLOGARCHIVE_SETTINGS: dict[str, str] = {"ASSETS_ENABLED": "False"}
"""``-s NAME=VALUE`` for blogarchive runs only (``--set`` adds), after the loopback lift.
Page requisites off: the peers fetch pages, and the replay gets blogarchive's URLs anyway."""


@dataclass
class Run:
    tool: str
    wall: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0
    pages: int = 0
    posts: int | None = None
    warc_bytes: int = 0
    ok: bool = True
    note: str = ""
    urls: list[str] = field(default_factory=list)
    """blogarchive only: its WARC request records' target URIs, in order."""


@dataclass
class Ctx:
    """Where one run works: its scratch dir and the URL to crawl."""

    url: str
    work: Path
    pythonpath: str | None = None
    """PYTHONPATH for blogarchive (a ``git archive`` snapshot), or None for the working tree."""
    extra_env: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    """Scrapy settings for this blogarchive run only, over the benchmark's own."""

    def env(self) -> dict[str, str]:
        """The environment a blogarchive run of this context gets."""
        return {**child_env(self.pythonpath), **self.extra_env}


def compiled(src: Path) -> Path:
    """``src`` with its bytecode written, as an installed package has it: the children run
    with PYTHONDONTWRITEBYTECODE, and compiling every module in every run would charge
    blogarchive's CPU ~0.3 s that Scrapy's own (compiled) modules do not pay."""
    import compileall

    compileall.compile_dir(src, quiet=1)
    return src


def child_env(pythonpath: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "BLOGARCHIVE_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        no_proxy="127.0.0.1,localhost",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def measure(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[Run, int]:
    """Run ``cmd``; its stdout goes to ``log``, stderr to ``log`` + ``.err``."""
    with log.open("wb") as out, log.with_suffix(".err").open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        watchdog = threading.Timer(TIMEOUT, proc.kill)
        watchdog.start()
        done = threading.Event()
        peak = [0]
        sampler = threading.Thread(target=_sample_hwm, args=(proc.pid, done, peak), daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
            done.set()
        wall = time.perf_counter() - started
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(tool="", wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=peak[0] / 1024)
    return run, proc.returncode


def _sample_hwm(pid: int, done: threading.Event, peak: list[int]) -> None:
    """Keep ``peak[0]`` at the child's VmHWM (KiB), or the sum of the resident sets of the
    child and its descendants (blogarchive's parsing workers) where larger, until it exits."""
    while True:
        own = _status_kib(pid)
        others = sum(_status_kib(p).get("VmRSS", 0) for p in _descendants(pid))
        peak[0] = max(peak[0], own.get("VmHWM", 0), own.get("VmRSS", 0) + others)
        if done.wait(0.02):
            return


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []
    return [p for c in children for p in (c, *_descendants(c))]


def _status_kib(pid: int) -> dict[str, int]:
    """The sizes (KiB) of ``/proc/PID/status``: VmHWM, VmRSS... (empty once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    sizes = {}
    for line in lines:
        name, _, value = line.partition(":")
        if value.endswith(" kB"):
            sizes[name] = int(value.split()[0])
    return sizes


def tail(path: Path, lines: int = 3) -> str:
    """The last lines of a log file, on one line, for an error message."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])[-300:]


def _settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


def blogarchive_cmd(ctx: Ctx, data: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "--url",
        ctx.url,
        "--data-dir",
        str(data),
        *_settings_args({**LOOPBACK, **BLOGARCHIVE_SETTINGS, **ctx.settings}),
    ]


def _is_warc(path: Path) -> bool:
    """A WARC file (open or closed), not the CDXJ index written beside it (issue 18)."""
    return path.is_file() and not path.name.endswith(".cdxj")


def warc_requests(data: Path) -> list[str]:
    """The target URIs of the WARC ``request`` records under ``data/warc``, in order."""
    from warcio.archiveiterator import ArchiveIterator

    urls = []
    for path in sorted(p for p in (data / "warc").glob("*.warc.gz*") if _is_warc(p)):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    urls.append(record.rec_headers.get_header("WARC-Target-URI") or "")
    return [u for u in urls if u.startswith("http")]


def run_blogarchive(ctx: Ctx) -> Run:
    data = ctx.work / "data"
    run, rc = measure(blogarchive_cmd(ctx, data), ctx.work, ctx.env(), ctx.work / "out.log")
    out = (ctx.work / "out.log").read_text(errors="replace")
    # "879 pages, 0 assets, 601 posts": the assets count since page requisites (issue 16)
    found = re.search(r"(\d+) pages, (?:\d+ assets, )?(\d+) posts", out)
    if found:
        run.pages, run.posts = int(found[1]), int(found[2])
    run.urls = warc_requests(data) if data.exists() else []
    run.warc_bytes = sum(p.stat().st_size for p in data.rglob("*.warc*") if _is_warc(p))
    if rc != 0 or not found:
        run.ok, run.note = (
            False,
            f"exit {rc}: {tail(ctx.work / 'out.err') or tail(ctx.work / 'out.log')}",
        )
    return run


def _spider_run(
    ctx: Ctx, python: str, extra: dict[str, str], spider: Path = SPIDER, arg: str = ""
) -> tuple[Run, int]:
    cmd = [python, "-m", "scrapy", "runspider", str(spider), "-a", arg or f"url={ctx.url}"]
    cmd += _settings_args({**COMMON, **LOOPBACK, **extra})
    run, rc = measure(cmd, ctx.work, child_env(), ctx.work / "out.log")
    for line in (ctx.work / "out.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            run.pages = int(json.loads(line).get("pages", 0))
    if rc != 0 or not run.pages:
        run.ok, run.note = False, f"exit {rc}: {tail(ctx.work / 'out.err')}"
    return run, rc


def run_scrapy(ctx: Ctx) -> Run:
    return _spider_run(ctx, sys.executable, {})[0]


def run_replay(ctx: Ctx, urls: list[str]) -> Run:
    """Bare Scrapy fetching ``urls`` (blogarchive's, in order), each once."""
    listing = ctx.work / "urls.txt"
    listing.write_text("".join(u + "\n" for u in urls))
    # robots.txt is on the list when blogarchive fetched it: obeying would fetch it twice.
    extra = {"ROBOTSTXT_OBEY": "False"}
    return _spider_run(ctx, sys.executable, extra, REPLAY, f"urls={listing}")[0]


def run_wget(ctx: Ctx) -> Run:
    cmd = [
        WGET,
        "--recursive",
        "--level=inf",
        "--no-parent",
        "-e",
        "robots=on",
        "--no-verbose",
        f"--warc-file={ctx.work / 'wget'}",
        "--directory-prefix",
        str(ctx.work / "files"),
        ctx.url,
    ]
    run, rc = measure(cmd, ctx.work, child_env(), ctx.work / "out.log")
    warc = ctx.work / "wget.warc.gz"
    run.warc_bytes = warc.stat().st_size if warc.exists() else 0
    err = (ctx.work / "out.err").read_text(errors="replace")
    found = re.search(r"Downloaded: (\d+) files", err)
    run.pages = int(found[1]) if found else err.count(" URL:")
    # wget exits 8 when some link answered 404: a normal outcome for a recursive crawl; 3
    # when a local file could not be written (a page named like a directory, "/tags" and
    # "/tags/x/"): the WARC has the page all the same.
    if rc not in (0, 3, 8) or not run.pages:
        run.ok, run.note = False, f"exit {rc}: {tail(ctx.work / 'out.err')}"
    return run


def webarchive_python(log: Callable[[str], None]) -> tuple[str | None, str]:
    """The scrapy-webarchive venv's python (created on first use), or None and why not."""
    python = WEBARCHIVE_VENV / "bin" / "python"
    marker = WEBARCHIVE_VENV / ".ready"
    if marker.exists() and python.exists():
        return str(python), marker.read_text().strip()
    base = shutil.which("python3.11") or sys.executable
    log(f"creating {WEBARCHIVE_VENV} for scrapy-webarchive (first run only) ...")
    shutil.rmtree(WEBARCHIVE_VENV, ignore_errors=True)
    steps = [
        [base, "-m", "venv", str(WEBARCHIVE_VENV)],
        [str(python), "-m", "pip", "install", "-q", *WEBARCHIVE_REQ],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
            return None, f"cannot install {' '.join(WEBARCHIVE_REQ)}: {why[0][:200]}"
    done = subprocess.run(
        [
            str(python),
            "-c",
            (
                "import scrapy.crawler, scrapy.linkextractors, scrapy_webarchive.extensions; "
                "import importlib.metadata as m; "
                "print('scrapy-webarchive', m.version('scrapy-webarchive'), 'Scrapy', m.version('scrapy'))"
            ),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None, f"scrapy-webarchive does not import: {done.stderr.strip()[-200:]}"
    marker.write_text(done.stdout.strip())
    return str(python), done.stdout.strip()


def run_webarchive(ctx: Ctx, python: str) -> Run:
    export = ctx.work / "wacz"
    export.mkdir()
    extra = {
        "EXTENSIONS": json.dumps({"scrapy_webarchive.extensions.WaczExporter": 543}),
        "SW_EXPORT_URI": f"file://{export}/",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    run, _ = _spider_run(ctx, python, extra)
    for wacz in export.rglob("*.wacz"):
        with zipfile.ZipFile(wacz) as zf:
            run.warc_bytes += sum(i.file_size for i in zf.infolist() if ".warc" in i.filename)
    if run.ok and not run.warc_bytes:
        run.ok, run.note = False, "no WACZ written"
    return run
