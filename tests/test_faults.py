"""Process faults: SIGKILL at random moments, a full disk, a corrupted search index.

The full-disk test mounts a 400 KB tmpfs as the data dir in a private mount namespace
(``unshare -m``), so the crawl meets a real ENOSPC from the kernel, at whatever layer
writes first: WARC, JSONL or SQLite.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import LOOPBACK, ROOT, free_port, read_items, run_cli
from tests.sites import BlogServer, get_blog

FULL_DISK_SCRIPT = """
set -u
mount -t tmpfs -o size=$SIZE tmpfs "$DATA/$MOUNT" || exit 99
"$PY" -m crawler.cli crawl --url "$URL" --data-dir "$DATA" $LOOPBACK > "$OUT/crawl1" 2>&1
echo $? > "$OUT/crawl1.rc"
"$PY" -m crawler.cli verify --data-dir "$DATA" > "$OUT/verify1" 2>&1
echo $? > "$OUT/verify1.rc"
mount -o remount,size=50m "$DATA/$MOUNT"
"$PY" -m crawler.cli crawl --url "$URL" --data-dir "$DATA" $LOOPBACK > "$OUT/crawl2" 2>&1
echo $? > "$OUT/crawl2.rc"
"$PY" -m crawler.cli verify --data-dir "$DATA" > "$OUT/verify2" 2>&1
echo $? > "$OUT/verify2.rc"
cat "$DATA"/items/*.jsonl > "$OUT/items"
"""


def test_full_disk_fails_clearly_keeps_data_and_resumes(tmp_path: Path) -> None:
    """The whole data dir on a 400 KB disk: WARC, JSONL or SQLite fails first."""
    out = _fill_the_disk(tmp_path, mount=".", size="400k")
    assert "FAILED (warc_write_failed)" in out or "No space left" in out


def test_full_items_disk_stops_the_crawl_and_loses_nothing(tmp_path: Path) -> None:
    """Only the JSONL dir is full (WARC writes still work): the crawl stops anyway."""
    out = _fill_the_disk(tmp_path, mount="items", size="8k")
    assert "FAILED (jsonl_write_failed)" in out
    assert "JSONL write failed, stopping the crawl: [Errno 28] No space left on device" in out


def _fill_the_disk(tmp_path: Path, *, mount: str, size: str) -> str:
    """Crawl with DATA/MOUNT on a small tmpfs, verify, enlarge it, crawl again, verify.

    Checks what every such run must show; returns the first crawl's output.
    """
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a small filesystem")
    blog = get_blog("blogger", posts=120)
    (tmp_path / "data" / mount).mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out"
    out.mkdir()
    with BlogServer(blog) as server:
        env = {
            **os.environ,
            "DATA": str(tmp_path / "data"),
            "MOUNT": mount,
            "SIZE": size,
            "OUT": str(out),
            "URL": server.url,
            "PY": sys.executable,
            "LOOPBACK": " ".join(LOOPBACK),
            "PYTHONPATH": str(ROOT),
        }
        result = subprocess.run(
            ["unshare", "-m", "bash", "-c", FULL_DISK_SCRIPT],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        expected = {e["url"] for e in blog.expected(server.url)}
    if result.returncode == 99:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    first = (out / "crawl1").read_text()
    assert (out / "crawl1.rc").read_text().strip() == "1"
    assert "Traceback" not in first
    assert (out / "verify1.rc").read_text().strip() == "0", (out / "verify1").read_text()
    assert (out / "crawl2.rc").read_text().strip() == "0", (out / "crawl2").read_text()
    assert (out / "verify2.rc").read_text().strip() == "0", (out / "verify2").read_text()
    lines = [json.loads(line) for line in (out / "items").read_text().splitlines()]
    urls = Counter(item["url"] for item in lines if item["kind"] == "post")
    assert set(urls) == expected
    assert max(urls.values()) == 1
    return first


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    blog = get_blog("wordpress", posts=200)
    data_dir = tmp_path / "data"
    rng = random.Random(20261127)
    with BlogServer(blog) as server:
        expected = {e["url"] for e in blog.expected(server.url)}
        for _ in range(3):
            _crawl_and_kill(server.url, data_dir, rng.uniform(0.3, 2.5))
            repaired = run_cli("verify", "--repair", "--data-dir", str(data_dir))
            if not data_dir.exists():  # killed before it made the data dir: nothing to lose
                assert "no archive at" in repaired.stderr
                continue
            assert repaired.returncode == 0, repaired.stdout
        final = run_cli("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
        assert final.returncode == 0, final.stderr
    assert run_cli("verify", "--data-dir", str(data_dir)).returncode == 0
    urls = Counter(item["url"] for item in read_items(data_dir))
    assert set(urls) == expected
    assert max(urls.values()) == 1
    statuses = [
        r["status"]
        for r in json.loads(run_cli("runs", "--json", "--data-dir", str(data_dir)).stdout)
    ]
    assert statuses[0] == "ok"
    assert set(statuses[1:]) <= {"interrupted", "ok"}


def _crawl_and_kill(url: str, data_dir: Path, after: float) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--url",
            url,
            "--data-dir",
            str(data_dir),
            *LOOPBACK,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        start_new_session=True,
    )
    time.sleep(after)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_corrupted_index_is_rebuilt_by_reindex(tmp_path: Path) -> None:
    with BlogServer(get_blog("demo")) as server:
        crawled = run_cli("crawl", "--url", server.url, "--data-dir", str(tmp_path), *LOOPBACK)
    assert crawled.returncode == 0, crawled.stderr
    index = tmp_path / "index"
    for path in index.iterdir():
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 10)
    broken = run_cli("search", "xiaomi", "--data-dir", str(tmp_path))
    assert broken.returncode != 0
    assert "Traceback" not in broken.stderr
    assert "reindex" in broken.stderr
    rebuilt = run_cli("reindex", "--data-dir", str(tmp_path))
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = run_cli("search", "--json", "xiaomi", "--data-dir", str(tmp_path))
    assert found.returncode == 0, found.stderr
    assert any("xiaomi" in hit["url"] for hit in json.loads(found.stdout))


def test_an_index_of_another_schema_loses_no_post(tmp_path: Path) -> None:
    """The index cannot take the posts: the crawl still writes and closes the WARC and
    JSONL files, says to reindex, and ``reindex`` then makes every post searchable."""
    index = tmp_path / "index"
    index.mkdir()
    (index / "meta.json").write_text("{}", encoding="utf-8")
    (index / "blogarchive-index.json").write_text('{"schema_version": 1}', encoding="utf-8")
    with BlogServer(get_blog("demo")) as server:
        crawled = run_cli("crawl", "--url", server.url, "--data-dir", str(tmp_path), *LOOPBACK)
    assert crawled.returncode == 0, crawled.stderr
    assert "reindex" in crawled.stderr
    assert "Traceback" not in crawled.stderr
    assert not list(tmp_path.rglob("*.open")), "a file was left open"
    items = read_items(tmp_path)
    assert len({item["url"] for item in items}) == len(items) == len(get_blog("demo").truth)
    assert run_cli("verify", "--data-dir", str(tmp_path)).returncode == 0
    rebuilt = run_cli("reindex", "--data-dir", str(tmp_path))
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = run_cli("search", "--json", "xiaomi", "--data-dir", str(tmp_path))
    assert any("xiaomi" in hit["url"] for hit in json.loads(found.stdout))


READ_ONLY_SCRIPT = """
set -u
mount --bind "$DATA" "$DATA" && mount -o remount,bind,ro "$DATA" || exit 99
touch "$DATA/probe" 2>/dev/null && exit 98  # still writable: not a read-only mount
run() { "$PY" -m crawler.cli "$@" --data-dir "$DATA" > "$OUT/$1.out" 2>&1; echo $? > "$OUT/$1.rc"; }
run search xiaomi
run show "$POST"
run runs
run verify
run export --wacz "$OUT/archive.wacz"
"$PY" -m crawler.cli serve --port "$PORT" --data-dir "$DATA" > "$OUT/serve.out" 2>&1 &
SERVER=$!
"$PY" - "$PORT" "$OUT" <<'PY'
import sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
for _ in range(100):
    try:
        for name, path in (("web_search", "/api/search?q=xiaomi"), ("web_runs", "/api/runs")):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                open(f"{out}/{name}.out", "wb").write(answer.read())
        break
    except OSError:
        time.sleep(0.2)
PY
kill $SERVER
"""


def test_a_read_only_archive_is_read_by_every_reading_command(tmp_path: Path) -> None:
    """search, show, runs, verify, export and serve on a read-only mount of an archive."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a read-only copy")
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    made = run_cli("demo", "--data-dir", str(data))
    assert made.returncode == 0, made.stderr
    post = json.loads((next((data / "items").glob("*.jsonl"))).read_text().splitlines()[0])["url"]
    env = {**os.environ, "DATA": str(data), "OUT": str(out), "PY": sys.executable}
    env |= {"POST": post, "PORT": str(free_port()), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        ["unshare", "-m", "bash", "-c", READ_ONLY_SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode in (98, 99):
        pytest.skip(f"cannot mount a read-only copy here: {result.stderr.strip()}")
    for command in ("search", "show", "runs", "verify", "export"):
        text = (out / f"{command}.out").read_text()
        assert (out / f"{command}.rc").read_text().strip() == "0", f"{command}: {text}"
        assert "Traceback" not in text
    assert "Why Xiaomi does not sell its smartphones" in (out / "search.out").read_text()
    assert "sample" in (out / "runs.out").read_text()
    assert "Why Xiaomi does not sell its smartphones" in (out / "web_search.out").read_text()
    assert '"sample"' in (out / "web_runs.out").read_text()
    assert not list(data.rglob("*.open"))
