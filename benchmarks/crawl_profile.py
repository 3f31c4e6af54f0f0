"""``benchmarks/crawl.py --profile``: one blogarchive crawl under py-spy, summarised.

py-spy samples Python stacks (``--format raw``: one collapsed stack and its count a line);
time spent in C code (zlib, lxml's parser, tantivy calls) is charged to the Python frame
that called it. Threads that run no Python (tantivy's Rust indexer threads) are not sampled:
the gap between the sampled CPU and the child's rusage CPU shows how much that is.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# (category, pattern on "function (file:line)"), first match from the leaf frame up wins.
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("WARC gzip compression (gzip_member, zlib-ng level 6)", r"^gzip_member "),
        ("HTTP gzip decoding (HttpCompressionMiddleware)", r"/gzip\.py|_compression|gunzip"),
        ("warcio (record build/digests)", r"/warcio/"),
        ("WARC capture, own code", r"/archive/warc|/crawler/extensions/warc|/crawler/capture/"),
        ("BeautifulSoup (+ lxml parse under it)", r"/bs4/"),
        ("soupsieve (CSS select)", r"/soupsieve/"),
        ("lxml python layer", r"/lxml/"),
        ("blogarchive parsers (own code, lxml C calls)", r"/crawler/parsers/"),
        ("JSONL export", r"/archive/jsonl|/json/"),
        ("tantivy index", r"/archive/index|/archive/documents|/archive/schema|tantivy"),
        ("pipelines / records", r"/crawler/pipelines|/archive/records"),
        ("spider routing", r"/crawler/spiders/|/crawler/urls|/crawler/traps"),
        ("Scrapy link/URL utils (w3lib, urllib)", r"/w3lib/|/urllib/|/tldextract/"),
        ("Scrapy engine, downloader, middlewares", r"/scrapy/"),
        ("Twisted (HTTP client, reactor)", r"/twisted/"),
        ("asyncio event loop", r"/asyncio/|/selectors\.py"),
        ("imports / startup", r"<frozen importlib|/importlib/"),
    ]
]
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


@dataclass
class Profile:
    stacks: Counter[tuple[str, ...]]
    rate: int

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())


def load_raw(path: Path, rate: int) -> Profile:
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return Profile(stacks, rate)


def _short(frame: str) -> str:
    found = FRAME.match(frame)
    if not found:
        return frame
    file = found["file"]
    for marker in ("site-packages/", "/work/main/", "/lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    else:
        if "/tmp/" in file and "/src/" in file:
            file = file.split("/src/", 1)[1]
    return f"{found['func']} ({file})"


def _key(frame: str) -> str:
    """``func /path`` (leading slash added), what the category patterns match."""
    found = FRAME.match(frame)
    return f"{found['func']} /{found['file'].lstrip('/')}" if found else frame


def _category(stack: tuple[str, ...]) -> str:
    for frame in reversed(stack):
        key = _key(frame)
        for name, pattern in CATEGORIES:
            if pattern.search(key):
                return name
    return "other"


def _strip_line(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


def summarise(prof: Profile, cpu_seconds: float, top: int = 15) -> str:
    total = prof.samples or 1
    lines = [
        (
            f"py-spy: {prof.samples} samples at {prof.rate}/s = {prof.samples / prof.rate:.1f} s of "
            f"sampled Python CPU; the child's rusage CPU was {cpu_seconds:.1f} s "
            "(the difference: native threads py-spy does not sample, and sampling gaps)."
        ),
        "",
        "Where the sampled time goes (first matching frame from the leaf up):",
    ]
    cats: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    cumulative: Counter[str] = Counter()
    for stack, count in prof.stacks.items():
        cats[_category(stack)] += count
        if stack:
            self_time[_short(_strip_line(stack[-1]))] += count
        for frame in {_strip_line(f) for f in stack}:
            cumulative[_short(frame)] += count
    for name, count in cats.most_common():
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    lines += ["", f"Top {top} functions by self time:"]
    for name, count in self_time.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    own = [
        (name, count)
        for name, count in cumulative.most_common()
        if re.search(r"[(/](crawler|archive)/", name) or "bs4/__init__" in name
    ]
    lines += ["", f"Top {top + 5} blogarchive functions by cumulative time:"]
    for name, count in own[: top + 5]:
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    return "\n".join(lines)


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def record_cmd(out: Path, rate: int, cmd: Iterable[str]) -> list[str]:
    exe = py_spy()
    if exe is None:
        raise FileNotFoundError("py-spy not found: pip install py-spy")
    return [exe, "record", "--format", "raw", "--rate", str(rate), "--nonblocking", "-o", str(out),
            "--", *cmd]  # fmt: skip
