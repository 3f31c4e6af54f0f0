"""One archiving session per crawl, seen from outside a real crawl.

The crawl runs as a subprocess against a fixture blog on 127.0.0.1; the test watches the
crawl's open file descriptors in ``/proc`` while it runs, and reads the archive it left
with warcio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.datadir import HISTORY_FILE
from tests.conftest import LOOPBACK, ROOT, read_items
from tests.sites import get_blog

POLL = 0.01


def _connections(pid: int, database: Path) -> int:
    """Descriptors of ``pid`` open on the database file itself (one per SQLite connection)."""
    folder = Path(f"/proc/{pid}/fd")
    count = 0
    try:
        links = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    for link in links:
        try:
            count += link.readlink() == database
        except OSError:
            continue  # closed meanwhile
    return count


def _watch(command: list[str], database: Path) -> tuple[int, int, str]:
    """Run ``command``; the most connections to ``database`` it held at once, how many
    polls saw the file open, and its output."""
    most = seen = 0
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as child:
        while child.poll() is None:
            held = _connections(child.pid, database)
            most, seen = max(most, held), seen + (held > 0)
            time.sleep(POLL)
        output = child.stdout.read() if child.stdout else ""
    assert child.returncode == 0, output
    return most, seen, output


def test_a_crawl_holds_at_most_two_history_connections(serve: Any, tmp_path: Path) -> None:
    server = serve(get_blog("blogger", posts=30))
    data_dir = tmp_path / "data"
    slow = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--url", server.url]
    command += ["--data-dir", str(data_dir), *LOOPBACK, *slow]
    most, seen, output = _watch(command, (data_dir / HISTORY_FILE).resolve())
    assert seen > 10, f"the crawl was over before it could be watched:\n{output}"
    assert 1 <= most <= 2
    assert len(read_items(data_dir)) == 30


def test_warc_metadata_and_jsonl_hold_the_same_posts(serve: Any, tmp_path: Path) -> None:
    """Posts the session drops (same post under two URLs) are in neither."""
    server = serve(get_blog("wordpress", posts=12))
    data_dir = tmp_path / "data"
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--url", server.url]
    subprocess.run(
        [*command, "--data-dir", str(data_dir), *LOOPBACK], cwd=ROOT, check=True, timeout=300
    )
    in_jsonl = sorted(
        (item["url"], item["version"]) for item in read_items(data_dir, ("post", "page"))
    )
    in_warc = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "metadata":
                    item = json.loads(record.content_stream().read())
                    in_warc.append((item["url"], item["version"]))
    assert len(in_jsonl) >= 12
    assert sorted(in_warc) == in_jsonl
