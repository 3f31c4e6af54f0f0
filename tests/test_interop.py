"""Our WARCs in other tools, other tools' WARCs in ours: pywb replay and wget's WARCs.

pywb pins old dependencies, so it gets a virtual environment of its own here (it is
not a project dependency); the first run installs it from PyPI.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, free_port, read_items, run_cli
from tests.sites import BlogServer, get_blog


@pytest.fixture(scope="module")
def pywb_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("pywb") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "pywb==2.10.0", "wacz==0.6.0"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv / "bin"


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    blog = get_blog("demo")
    data_dir = tmp_path_factory.mktemp("demo")
    with BlogServer(blog) as server:
        result = run_cli("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
        assert result.returncode == 0, result.stderr
        pages = {path: server.resource(path).body for path in blog.post_paths}
        yield {"blog": blog, "url": server.url, "data_dir": data_dir, "pages": pages}


@pytest.fixture
def wayback(pywb_bin: Path, demo_archive: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """pywb's wayback serving the demo archive; yields its collection URL."""
    subprocess.run(
        [str(pywb_bin / "wb-manager"), "init", "blogs"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    warcs = [str(p) for p in (demo_archive["data_dir"] / "warc").glob("*.warc.gz")]
    subprocess.run(
        [str(pywb_bin / "wb-manager"), "add", "blogs", *warcs],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [str(pywb_bin / "wayback"), "-p", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}/blogs/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"pywb did not listen on {port}")


def test_pywb_replays_every_post_byte_for_byte(wayback: str, demo_archive: dict[str, Any]) -> None:
    dates = _response_dates(demo_archive["data_dir"])
    base = demo_archive["url"].rstrip("/")
    for path, original in demo_archive["pages"].items():
        url = base + path
        with urllib.request.urlopen(f"{wayback}{dates[url]}id_/{url}", timeout=30) as reply:
            assert reply.status == 200
            assert reply.read() == original, f"{url} replayed with other bytes"


def _response_dates(data_dir: Path) -> dict[str, str]:
    """Each captured URL's 14-digit timestamp, as pywb addresses mementos."""
    dates = {}
    for path in (data_dir / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    stamp = record.rec_headers.get_header("WARC-Date")
                    digits = "".join(c for c in stamp if c.isdigit())[:14]
                    dates[record.rec_headers.get_header("WARC-Target-URI")] = digits
    return dates


def test_item_metadata_is_not_replayed_as_the_page(
    wayback: str, demo_archive: dict[str, Any]
) -> None:
    url = demo_archive["url"].rstrip("/") + demo_archive["blog"].post_paths[0]
    with urllib.request.urlopen(f"{wayback}2100id_/{url}", timeout=30) as reply:
        assert reply.headers.get_content_type() == "text/html"


def test_extract_reads_wget_warcs(tmp_path: Path) -> None:
    wget = shutil.which("wget")
    assert wget, "wget is needed for this interoperability test"
    blog = get_blog("blogger", posts=30)
    with BlogServer(blog) as server:
        subprocess.run(
            [
                wget,
                "--recursive",
                "--level=inf",
                "--no-parent",
                "--quiet",
                "-e",
                "robots=on",
                "--warc-file",
                str(tmp_path / "wget"),
                "-P",
                str(tmp_path / "mirror"),
                server.url,
            ],
            check=False,
            timeout=300,
        )
        expected = {e["url"]: e for e in blog.expected(server.url)}
    warc = tmp_path / "wget.warc.gz"
    assert warc.exists()
    result = run_cli("extract", str(warc))
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    items = [i for i in found if i["kind"] == "post"]  # the about page is an item of kind page
    assert {i["url"] for i in items} == set(expected)
    for item in items:
        truth = expected[item["url"]]
        assert (item["title"], item["authors"], item["rating"]) == (
            truth["title"],
            truth["authors"],
            truth["rating"],
        )
        assert item["warc"]["filename"] == "wget.warc.gz"


def test_wacz_export_validates(
    pywb_bin: Path, demo_archive: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "blog.wacz"
    result = run_cli("export", "--wacz", str(out), "--data-dir", str(demo_archive["data_dir"]))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as wacz:
        names = wacz.namelist()
        pages = wacz.read("pages/pages.jsonl").decode().splitlines()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in wacz.infolist())
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdxj"} <= set(names)
    assert any(name.startswith("archive/") and name.endswith(".warc.gz") for name in names)
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    page_urls = {json.loads(line)["url"] for line in pages[1:]}
    items = read_items(demo_archive["data_dir"], ("post", "page"))
    assert page_urls == {i["url"] for i in items}
    check = subprocess.run(
        [str(pywb_bin / "wacz"), "validate", "-f", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_export_without_archive_fails_clearly(tmp_path: Path) -> None:
    result = run_cli("export", "--wacz", str(tmp_path / "x.wacz"), "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "no WARC files" in result.stderr
