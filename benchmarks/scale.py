"""Every command and page at scale: ``python benchmarks/scale.py --posts 100000``.

Writes an archive of N posts as crawls leave it (``scale_archive.py``: WARC and JSONL
through :class:`~archive.session.ArchiveSession`, 20 sites, a recrawl with edits and
revisits), or reuses ``--dir`` if it holds one, then times each command in a fresh
interpreter (wall time, peak RSS from ``wait4``) and the web UI (time to ready, the first
request of each kind, then the steady state over 20 other posts; peak RSS from
``VmHWM``). ``--small-files K`` first adds K one-capture WARC files (recrawls that found
nothing) to see what they cost the pages. Not run in CI: 100,000 posts take about half an
hour to write on a busy 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_archive import WORDS

from tests.conftest import free_port

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# As an installed package: bytecode cached (else each `show` compiles what it imports, 35 ms).
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
Row = tuple[str, float, float]  # what, seconds, peak MB


def run(*args: str, quiet: bool = True) -> tuple[float, float, str]:
    """A command in a fresh interpreter: (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        env=ENV,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    out = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(f"  ! {' '.join(args[:4])} exited {proc.returncode}", file=sys.stderr)
    return took, usage.ru_maxrss / 1024, out


def cli(data: Path, *args: str) -> tuple[float, float, str]:
    return run("-m", "crawler.cli", *args, "--data-dir", str(data))


def samples(data: Path) -> dict[str, str]:
    """An edited post, 20 other posts, a capture and a revisit, from the catalog."""
    db = sqlite3.connect(data / "history.sqlite3")
    edited = db.execute("SELECT url FROM catalog_items WHERE version > 1 LIMIT 1").fetchone()[0]
    middle = db.execute("SELECT count(*) FROM catalog_items").fetchone()[0] // 2
    others = [
        r[0] for r in db.execute("SELECT url FROM catalog_items LIMIT 20 OFFSET ?", (middle,))
    ]
    capture = db.execute(
        "SELECT filename, offset FROM catalog_captures WHERE kind = 'response' LIMIT 1 OFFSET ?",
        (middle // 3,),
    ).fetchone()
    revisit = db.execute(
        "SELECT filename, offset FROM catalog_captures WHERE kind = 'revisit' LIMIT 1 OFFSET ?",
        (middle // 30,),
    ).fetchone()
    db.close()
    found = {"edited": edited, "capture": f"{capture[0]}/{capture[1]}"}
    found["revisit"] = f"{revisit[0]}/{revisit[1]}"
    found.update({f"post{i}": url for i, url in enumerate(others)})
    return found


def commands(data: Path, picked: dict[str, str], out: Path, *, reindex: bool = True) -> list[Row]:
    rows: list[Row] = []

    def timed(name: str, *args: str) -> str:
        took, peak, text = cli(data, *args)
        rows.append((name, took, peak))
        print(f"  {name}: {took:.2f} s, {peak:.0f} MB", flush=True)
        return text

    timed("show (archived, 3 versions or 2)", "show", picked["edited"])
    timed("show (not archived)", "show", "https://nowhere.example/post")
    timed("show --raw", "show", picked["post3"], "--raw")
    queries = [[WORDS[100]], [f"{WORDS[7]} {WORDS[8]}"], ["", "--site", "site03"],
               [WORDS[5][:2] + "*"], ["", "--author", "Author 3"]]  # fmt: skip
    for query in queries:
        timed(f"search {' '.join(query) or '(all)'}", "search", *query, "--limit", "20")
    timed("runs", "runs")
    timed("verify (the first: every file)", "verify")
    timed("verify (nothing changed)", "verify")
    timed("verify --full", "verify", "--full")
    timed("export --wacz", "export", "--wacz", str(out / "a.wacz"), "--force")
    if not reindex:
        return rows
    text = timed("reindex (catalog kept)", "reindex")
    print("   ", text.strip())
    db = sqlite3.connect(data / "history.sqlite3")
    db.execute("DELETE FROM catalog_files")  # every WARC file's captures read again
    db.commit()
    db.close()
    text = timed("reindex (captures read again)", "reindex")
    print("   ", text.strip())
    return rows


def get(url: str) -> float:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as answer:
            answer.read()
    except urllib.error.HTTPError as error:  # an answer all the same (no index yet: 503)
        error.read()
        print(f"  {url}: HTTP {error.code}", flush=True)
    return time.perf_counter() - started


def web(data: Path, picked: dict[str, str]) -> list[Row]:
    """``serve``: time to ready, first request of each kind, then steady state."""
    from archive.state.catalog import post_id

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=ENV,
        cwd=ROOT,
    )
    assert server.stdout is not None
    server.stdout.readline()  # "Serving ... at URL"
    base = f"http://127.0.0.1:{port}"
    rows: list[Row] = [("serve: ready", time.perf_counter() - started, 0.0)]
    pages = {
        "/": "/",
        "/?q=": f"/?q={WORDS[100]}",
        "post page": f"/posts/{post_id(picked['edited'])}",
        "post API": f"/api/posts/{post_id(picked['edited'])}",
        "capture view": f"/captures/{picked['capture']}",
        "capture raw": f"/captures/{picked['capture']}/raw",
        "revisit view": f"/captures/{picked['revisit']}",
        "stats": "/stats",
        "changes feed": "/feeds/changes.atom",
    }
    try:
        for name, path in pages.items():
            rows.append((f"serve: first {name}", get(base + path), 0.0))
        steady = {
            "/": lambda i: f"/?page={i % 5 + 1}",
            "/?q=": lambda i: f"/?q={WORDS[100 + i]}",
            "post page": lambda i: f"/posts/{post_id(picked[f'post{i}'])}",
            "post API": lambda i: f"/api/posts/{post_id(picked[f'post{i}'])}",
            "capture view": lambda i: f"/captures/{picked['capture']}",
            "stats": lambda i: "/stats",
        }
        for name, path_of in steady.items():
            times = [get(base + path_of(i)) for i in range(20)]
            rows.append((f"serve: steady {name} (median)", statistics.median(times), 0.0))
            rows.append((f"serve: steady {name} (max)", max(times), 0.0))
        peak = _peak_mb(server.pid)
        rows.append(("serve: peak RSS", 0.0, peak))
    finally:
        server.terminate()
        server.wait(30)
    return rows


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument(
        "--dir", type=Path, help="the archive (kept, reused when it exists; else removed)"
    )
    parser.add_argument("--small-files", type=int, default=0)
    parser.add_argument("--only", choices=("commands", "web"), help="time only these")
    parser.add_argument(
        "--no-reindex", action="store_true", help="leave out the two timed reindexes"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="blogarchive-scale-"))
    data = args.dir or work / "data"
    generator = str(ROOT / "benchmarks" / "scale_archive.py")
    if not (data / "history.sqlite3").exists():
        took, peak, _ = run(generator, str(data), "--posts", str(args.posts),
                            "--sites", str(args.sites), quiet=False)  # fmt: skip
        print(f"generated {args.posts} posts in {took:.0f} s ({peak:.0f} MB)", flush=True)
        took, peak, _ = cli(data, "reindex")
        print(f"reindexed in {took:.0f} s ({peak:.0f} MB)", flush=True)
    if args.small_files:
        took, _, _ = run(generator, str(data), "--posts", str(args.posts), "--sites",
                         str(args.sites), "--small-files", str(args.small_files),
                         "--only-small-files", quiet=False)  # fmt: skip
        print(f"added {args.small_files} small WARC files in {took:.0f} s", flush=True)
    try:
        _measure(args, data, work)
    finally:
        shutil.rmtree(work)  # the export, and the archive unless --dir named it


def _measure(args: argparse.Namespace, data: Path, work: Path) -> None:
    picked = samples(data)
    rows: list[Row] = []
    if args.only != "web":
        rows += commands(data, picked, work, reindex=not args.no_reindex)
    if args.only != "commands":
        rows += web(data, picked)
    files = sum(1 for _ in (data / "warc").glob("*.warc.gz"))  # not their CDXJ indexes
    with sqlite3.connect(data / "history.sqlite3") as db:  # the archive's, if --dir reused one
        posts = db.execute("SELECT count(DISTINCT url) FROM catalog_items").fetchone()[0]
    print(f"\n{posts} posts, {files} WARC files, {data}")
    print(f"{'what':46} {'seconds':>9} {'peak MB':>8}")
    for name, took, peak in rows:
        print(f"{name:46} {took:9.3f} {peak:8.0f}" if peak else f"{name:46} {took:9.3f} {'':>8}")


if __name__ == "__main__":
    main()
