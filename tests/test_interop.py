"""Our WARCs in other tools, other tools' WARCs in ours: pywb replay (from the WARCs
and from the WACZ export, after a crawl and after a recrawl), and wget's WARCs.

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

from tests.conftest import LOOPBACK, free_port, read_items, run_cli, unguarded_env
from tests.sites import BlogServer, get_blog
from tests.sites.edits import edit_post, editable
from tests.sites.model import PIXEL_PNG


@pytest.fixture(scope="module")
def pywb_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("pywb") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "pywb==2.10.0", "wacz==0.6.0"],
        check=True,
        capture_output=True,
        timeout=600,
        env=unguarded_env(),
    )
    return venv / "bin"


POSTS, EDITED = 60, 12
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A fixture blog crawled, 12 of its 60 posts edited, and crawled again with every
    known post asked for conditionally: the edited posts become new versions, the other
    48 answer 304 and are archived as not-modified revisits. A WACZ is exported after
    each crawl, and each post's served bytes are kept as they were at each crawl."""
    blog = get_blog("blogger", posts=POSTS)
    root = tmp_path_factory.mktemp("recrawled")
    data_dir = root / "data"
    with BlogServer(blog) as server:
        _crawl(server.url, data_dir)
        # Copies: the recrawl appends to the same (rolling) WARC file.
        (root / "first").mkdir()
        first_warcs = [
            Path(shutil.copy(path, root / "first"))
            for path in sorted((data_dir / "warc").glob("*.warc.gz"))
        ]
        first = {path: server.resource(path).body for path in blog.post_paths}
        _export(data_dir, root / "first.wacz")
        edited = editable(blog, EDITED)
        for entry in edited:
            edit_post(server, blog, entry, " (updated)")
        # Without sitemap dates every known post is revalidated, so each unchanged one
        # meets a 304 (the case that replayed blank in pywb).
        _crawl(server.url, data_dir, "-s", "INCREMENTAL_ENABLED=False")
        _export(data_dir, root / "all.wacz")
        current = {path: server.resource(path).body for path in blog.post_paths}
        base = server.url.rstrip("/")
    assert len(edited) == EDITED
    assert sum(first[p] != current[p] for p in first) == EDITED
    return {
        "blog": blog,
        "base": base,
        "data_dir": data_dir,
        "first_warcs": first_warcs,
        "first": first,
        "current": current,
        "wacz": {"first": root / "first.wacz", "all": root / "all.wacz"},
    }


def _crawl(url: str, data_dir: Path, *settings: str) -> None:
    result = run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK, *settings)
    assert result.returncode == 0, result.stdout + result.stderr


def _export(data_dir: Path, out: Path) -> None:
    result = run_cli("export", "--wacz", str(out), "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def wayback(
    pywb_bin: Path, recrawled: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """pywb's wayback with four collections: the WARCs of the first crawl (``first``),
    all WARCs (``blogs``), and the WACZ exported after each crawl (``firstwacz``,
    ``wacz``), imported as pywb imports a WACZ. Yields pywb's root URL."""
    home = tmp_path_factory.mktemp("wayback")
    all_warcs = sorted((recrawled["data_dir"] / "warc").glob("*.warc.gz"))
    _collection(pywb_bin, home, "first", recrawled["first_warcs"])
    _collection(pywb_bin, home, "blogs", all_warcs)
    _collection(pywb_bin, home, "firstwacz", [recrawled["wacz"]["first"]], "--unpack-wacz")
    _collection(pywb_bin, home, "wacz", [recrawled["wacz"]["all"]], "--unpack-wacz")
    port = free_port()
    proc = subprocess.Popen(
        [str(pywb_bin / "wayback"), "-p", str(port)],
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _collection(pywb_bin: Path, home: Path, name: str, files: list[Path], *flags: str) -> None:
    manager = str(pywb_bin / "wb-manager")
    subprocess.run([manager, "init", name], cwd=home, check=True, capture_output=True)
    added = subprocess.run(
        [manager, "add", *flags, name, *map(str, files)],
        cwd=home,
        capture_output=True,
        text=True,
        check=True,
    )
    # pywb logs a WACZ it cannot import ("does not contain any indices") and exits 0.
    assert "does not contain" not in added.stderr, added.stderr


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"pywb did not listen on {port}")


def _replay(wayback: str, collection: str, url: str, mode: str = "id_") -> tuple[int, bytes]:
    """The latest capture of ``url`` as pywb replays it (a timestamp past every capture)."""
    with urllib.request.urlopen(f"{wayback}{collection}/2100{mode}/{url}", timeout=30) as reply:
        return reply.status, reply.read()


@pytest.mark.parametrize(
    ("collection", "crawl"),
    [("first", "first"), ("firstwacz", "first"), ("blogs", "current"), ("wacz", "current")],
)
def test_pywb_replays_every_post_byte_for_byte(
    wayback: str, recrawled: dict[str, Any], collection: str, crawl: str
) -> None:
    """From the WARCs and from the WACZ, after one crawl and after the recrawl: every
    post's latest capture replays as the bytes the blog served (edits included)."""
    wrong = []
    for path, served in recrawled[crawl].items():
        status, body = _replay(wayback, collection, recrawled["base"] + path)
        if (status, body) != (200, served):
            wrong.append(f"{path}: HTTP {status}, {len(body)} bytes")
    assert wrong == [], f"{len(wrong)}/{POSTS} posts replay wrong in {collection}"


def test_unchanged_posts_are_not_modified_revisits(recrawled: dict[str, Any]) -> None:
    """The recrawl above really met the case: the latest capture of each unchanged post
    is a server-not-modified revisit (so the replay test covers it)."""
    latest = _latest_captures(recrawled["data_dir"])
    unchanged = [p for p in recrawled["first"] if recrawled["first"][p] == recrawled["current"][p]]
    profiles = {latest[recrawled["base"] + p] for p in unchanged}
    assert profiles == {SERVER_NOT_MODIFIED}
    assert len(unchanged) == POSTS - EDITED


def _latest_captures(data_dir: Path) -> dict[str, str]:
    """Each URL's latest response or revisit: ``response`` or the revisit's profile."""
    found: dict[str, tuple[str, str]] = {}
    for path in (data_dir / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type not in ("response", "revisit"):
                    continue
                headers = record.rec_headers
                url, date = headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")
                kind = headers.get_header("WARC-Profile") or record.rec_type
                if url not in found or found[url][0] < date:
                    found[url] = (date, kind)
    return {url: kind for url, (_, kind) in found.items()}


@pytest.mark.parametrize("collection", ["blogs", "wacz"])
def test_pywb_shows_every_post_with_its_current_title(
    wayback: str, recrawled: dict[str, Any], collection: str
) -> None:
    """The default, rewritten view (``mp_``) too: never an empty page after a recrawl."""
    checked = _truth(recrawled)
    assert len(checked) > POSTS / 2
    for entry in checked:
        status, body = _replay(wayback, collection, recrawled["base"] + entry["url"], "mp_")
        assert status == 200
        assert entry["title"].encode() in body, f"{entry['url']} replays without its title"


def _truth(recrawled: dict[str, Any]) -> list[dict[str, str]]:
    """Path and current title of each post whose title is verbatim in its HTML."""
    blog = recrawled["blog"]
    edited = {e["url"] for e in editable(blog, EDITED)}
    return [
        {"url": e["url"], "title": e["title"] + (" (updated)" if e["url"] in edited else "")}
        for e in blog.truth
        if e["title"].isascii() and not set("&<>\"'") & set(e["title"])
    ]


def test_item_metadata_is_not_replayed_as_the_page(wayback: str, recrawled: dict[str, Any]) -> None:
    url = recrawled["base"] + recrawled["blog"].post_paths[0]
    with urllib.request.urlopen(f"{wayback}blogs/2100id_/{url}", timeout=30) as reply:
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


@pytest.mark.parametrize("export", ["first", "all"])
def test_wacz_export_validates(pywb_bin: Path, recrawled: dict[str, Any], export: str) -> None:
    out = recrawled["wacz"][export]
    with zipfile.ZipFile(out) as wacz:
        names = wacz.namelist()
        pages = wacz.read("pages/pages.jsonl").decode().splitlines()
        index = wacz.read("indexes/index.cdx").decode().splitlines()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in wacz.infolist())
    # indexes/index.cdx: the name pywb's importer looks for (*.cdx, *.cdx.gz) and
    # ReplayWeb.page reads (*.cdx, *.cdxj); CDXJ inside, as WACZ 1.1.1 requires.
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdx"} <= set(names)
    warcs = {name.removeprefix("archive/") for name in names if name.startswith("archive/")}
    assert warcs
    assert all(name.endswith(".warc.gz") for name in warcs)
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == warcs
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    page_urls = {json.loads(line)["url"] for line in pages[1:]}
    items = read_items(recrawled["data_dir"], ("post", "page"))
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


@pytest.mark.parametrize("collection", ["blogs", "wacz"])
def test_pywb_replays_a_post_with_its_images_from_the_archive(
    wayback: str, recrawled: dict[str, Any], collection: str
) -> None:
    """Page requisites (issue 16): a post's image, archived with it (then a revisit after
    the recrawl), replays from the archive, and the replayed post names it there."""
    archived = [
        (item, image)
        for item in read_items(recrawled["data_dir"])
        for image in item["images"]
        if "warc" in image  # not the review stars, which the blog does not serve
    ]
    assert len(archived) >= 5
    for item, image in archived[:5]:
        status, page = _replay(wayback, collection, item["url"], "mp_")
        assert status == 200
        # pywb points the <img> at its own replay of the image (no trip to the blog).
        assert f"im_/{image['url']}".encode() in page
        assert _replay(wayback, collection, image["url"], "im_") == (200, PIXEL_PNG)
