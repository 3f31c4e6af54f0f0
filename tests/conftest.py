"""Shared fixtures: fixture blogs on 127.0.0.1 and the CLI run as a real subprocess.

Crawls run in a subprocess because Twisted's reactor cannot restart inside one
test process; the fixture server runs in a thread of the test process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.sites import Blog, BlogServer, get_blog

if TYPE_CHECKING:
    from tests.test_web_fixture import WebArchive

ROOT = Path(__file__).resolve().parents[1]
NETGUARD = ROOT / "tests" / "support" / "netguard"


def _guard_the_network() -> Path:
    """Loopback only, here and in every Python subprocess (see
    ``tests/support/netguard/sitecustomize.py``): returns the log of hosts refused."""
    handle, name = tempfile.mkstemp(prefix="blogarchive-netguard-", suffix=".log")
    os.close(handle)
    os.environ["BLOGARCHIVE_NETGUARD_LOG"] = name
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), *([path] if path else [])])
    spec = importlib.util.spec_from_file_location("netguard", NETGUARD / "sitecustomize.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()
    return Path(name)


NETGUARD_LOG = _guard_the_network()


def _let_ctrl_c_through() -> None:
    """A suite started in the background (``pytest &``) inherits SIGINT ignored, and so
    would the crawls and servers it starts: Scrapy then leaves Ctrl-C alone (it installs
    its handler only over Python's default), and the tests that press it fail. A handler
    here is reset to the default in every child at exec."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_let_ctrl_c_through()


def unguarded_env() -> dict[str, str]:
    """The environment without the guard, for setting up tools (pip installing pywb from
    the package index), never for the code under test."""
    return {k: v for k, v in os.environ.items() if k != "BLOGARCHIVE_NETGUARD_LOG"}


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    """Fails the test during which anything tried a host off this machine."""
    yield
    tried = NETGUARD_LOG.read_text(encoding="utf-8")
    if tried:
        NETGUARD_LOG.write_text("", encoding="utf-8")
        pytest.fail(f"a non-loopback host was tried (tests are loopback only):\n{tried}")


LOOPBACK = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """``blogarchive ARGS`` in a fresh interpreter."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
        check=False,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_items(data_dir: Path, kinds: tuple[str, ...] = ("post",)) -> list[dict[str, Any]]:
    """The JSONL items of ``kinds``: posts by default (fixture blogs' about pages become
    items of kind page, which their post truth does not list)."""
    items = [
        json.loads(line)
        for path in sorted((data_dir / "items").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [item for item in items if item.get("kind", "post") in kinds]


@dataclass
class Crawled:
    """A fixture blog crawled once: its truth, its server URL and the archive."""

    blog: Blog
    url: str
    data_dir: Path
    result: subprocess.CompletedProcess[str]

    @property
    def expected(self) -> dict[str, dict[str, Any]]:
        return {e["url"]: e for e in self.blog.expected(self.url)}

    @property
    def items(self) -> list[dict[str, Any]]:
        """The post items (``kind`` post); standalone pages are in :attr:`all_items`."""
        return read_items(self.data_dir)

    @property
    def all_items(self) -> list[dict[str, Any]]:
        return read_items(self.data_dir, ("post", "page", "listing"))

    @property
    def static_pages(self) -> set[str]:
        """The blog's standalone pages (its about page), which become items of kind page."""
        base = self.url.rstrip("/")
        return {
            base + p
            for p in self.blog.non_posts
            if p.rstrip("/").endswith("about.html") or p.rstrip("/").endswith("/about")
        }


@pytest.fixture(scope="module")
def serve() -> Iterator[Any]:
    """Start fixture blogs for the module; stopped at its end."""
    servers: list[BlogServer] = []

    def start(blog: Blog) -> BlogServer:
        server = BlogServer(blog)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def crawl_blog(serve: Any, tmp_dir: Path, kind: str, posts: int) -> Crawled:
    blog = get_blog(kind, posts=posts)
    server = serve(blog)
    data_dir = tmp_dir / kind
    result = run_cli("crawl", "--url", server.url, "--data-dir", str(data_dir), *LOOPBACK)
    return Crawled(blog=blog, url=server.url, data_dir=data_dir, result=result)


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    """The demo blog crawled twice, shared by the web and catalog tests (built once per
    session: :func:`tests.test_web_fixture.web_archive`)."""
    from tests.test_web_fixture import web_archive  # it imports this module

    return web_archive(tmp_path_factory.getbasetemp())


@pytest.fixture
def archive_copy(archived: WebArchive, tmp_path: Path) -> Path:
    """A copy of :func:`archived`'s data dir, for a test that changes it."""
    target = tmp_path / "data"
    shutil.copytree(archived.data_dir, target)
    return target
