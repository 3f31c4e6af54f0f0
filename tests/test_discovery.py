"""Discovery that does not depend on URL shapes: a real crawl of a small personal site.

The home page is an introduction linking to ``/blog`` (a section page) and ``/about``; the
posts live at ``/posts/<slug>`` (no date in the URL) and are reachable only through
``/blog``; the RSS feed at ``/feed.xml`` is advertised nowhere, and it alone names the author.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, ROOT, read_items, run_cli

PROSE = "This paragraph is the post's own prose, written to be read from start to end. " * 4
SLUGS = [f"note-on-topic-{n}" for n in range(1, 6)]
NAV = "<nav><a href='/'>Home</a> <a href='/blog'>Blog</a> <a href='/about'>About</a></nav>"


def _page(title: str, main: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title} | Jane's site</title></head>"
        f"<body><header>{NAV}</header><main>{main}</main><footer>(c) Jane</footer></body></html>"
    )


def _post(n: int, slug: str) -> str:
    return _page(
        f"Note {n}",
        f"<h1>Note {n}</h1><p>Posted on March {n}, 2021</p><p>{PROSE}</p>"
        f"<p>Filed under <a href='/tags/python/'>python</a>.</p>",
    )


def _teasers() -> str:
    return "".join(
        f"<h2><a href='/posts/{slug}'>Note {n}</a></h2><p>A first line.</p>"
        for n, slug in enumerate(SLUGS, 1)
    )


def _feed(base: str) -> str:
    items = "".join(
        f"<item><title>Note {n}</title><link>{base}/posts/{slug}</link>"
        f"<dc:creator>Jane Roe</dc:creator><pubDate>0{n} Mar 2021 10:00:00 +0000</pubDate></item>"
        for n, slug in enumerate(SLUGS, 1)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Jane</title>{items}</channel></rss>"
    )


def _site(base: str) -> dict[str, tuple[str, str]]:
    html = "text/html; charset=utf-8"
    pages = {
        "/": _page("Home", f"<h1>Hi, I am Jane</h1><p>{PROSE}</p>"),
        "/blog": _page("Blog", f"<h1>Blog</h1>{_teasers()}"),
        "/tags/python/": _page("python", f"<h1>Tagged python</h1>{_teasers()}"),
        "/about": _page("About", f"<h1>About me</h1><p>{PROSE}</p>"),
        **{f"/posts/{slug}": _post(n, slug) for n, slug in enumerate(SLUGS, 1)},
    }
    site = {path: (body, html) for path, body in pages.items()}
    site["/feed.xml"] = (_feed(base), "application/rss+xml")
    return site


class _Handler(BaseHTTPRequestHandler):
    site: ClassVar[dict[str, tuple[str, str]]] = {}

    def do_GET(self) -> None:
        found = self.site.get(self.path)
        body, ctype = found if found else ("<h1>Not found</h1>", "text/html")
        data = body.encode("utf-8")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def personal_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.site = _site(base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled(personal_site: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("personal")
    result = run_cli("crawl", "--url", personal_site + "/", "--data-dir", str(data), *LOOPBACK)
    assert result.returncode == 0, result.stderr[-2000:]
    return data


def test_posts_reached_only_through_a_section_page_are_archived(
    crawled: Path, personal_site: str
) -> None:
    items = {item["url"]: item for item in read_items(crawled)}
    posts = {u for u, item in items.items() if item["kind"] == "post"}
    assert posts == {f"{personal_site}/posts/{slug}" for slug in SLUGS}
    assert len(read_items(crawled)) == len(items), "an item was archived twice"


def test_listings_are_archived_but_never_items(crawled: Path, personal_site: str) -> None:
    urls = {item["url"] for item in read_items(crawled, ("post", "page", "listing"))}
    assert not urls & {f"{personal_site}/blog", f"{personal_site}/tags/python/"}
    fetched = set()
    for warc in (crawled / "warc").glob("*.warc.gz"):
        with warc.open("rb") as stream:
            fetched |= {
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            }
    assert {f"{personal_site}/blog", f"{personal_site}/tags/python/"} <= fetched


def test_the_about_page_is_an_item_of_kind_page(crawled: Path, personal_site: str) -> None:
    kinds = {item["url"]: item["kind"] for item in read_items(crawled, ("post", "page", "listing"))}
    assert kinds.get(f"{personal_site}/about") == "page"


def test_the_unadvertised_feed_is_probed_and_names_the_author(crawled: Path) -> None:
    posts = [item for item in read_items(crawled) if item["kind"] == "post"]
    assert {tuple(item["authors"]) for item in posts} == {("Jane Roe",)}
    assert sorted(item["published"][:10] for item in posts) == [
        f"2021-03-0{n}" for n in range(1, 6)
    ]


# The crawl CLI in a subprocess, with every HTML parse of crawler code counted (tests/parses.py)
# and written to the file named by the first argument.
_COUNTED_CRAWL = (
    "import pathlib, sys; from tests.parses import count_parses; from crawler.cli import main; "
    "calls = count_parses(); code = main(sys.argv[2:]); "
    "pathlib.Path(sys.argv[1]).write_text(' '.join(calls)); sys.exit(code)"
)


def _html_responses(data: Path) -> int:
    count = 0
    for warc in (data / "warc").glob("*.warc.gz"):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = record.http_headers
                if record.rec_type == "response" and headers.get_statuscode() == "200":
                    count += "text/html" in (headers.get_header("Content-Type") or "")
    return count


def test_each_html_page_is_parsed_once(personal_site: str, tmp_path: Path) -> None:
    """Links, platform, kind and item all come from one lxml tree per page, the home too."""
    data, counted = tmp_path / "data", tmp_path / "parses.txt"
    argv = ["crawl", "--url", personal_site + "/", "--data-dir", str(data), *LOOPBACK]
    result = subprocess.run(
        [sys.executable, "-c", _COUNTED_CRAWL, str(counted), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    calls = counted.read_text().split()
    pages = _html_responses(data)
    assert pages >= 9  # home, /blog, /about, the tag page and five posts
    assert calls == ["make_soup"] * pages


def test_exploration_takes_at_most_half_of_the_page_budget() -> None:
    """Feeds, sitemaps, listings and posts share ``max_pages``; exploring, half of it."""
    from crawler.spiders.blog import BlogSpider

    spider = BlogSpider(url="http://127.0.0.1:9/", max_pages=10)
    spider.scheduled = spider.explored = 5
    assert spider._over_budget("explore")
    assert not spider._over_budget("post")
    spider.scheduled = 10
    assert spider._over_budget("post")
    assert not BlogSpider(url="http://127.0.0.1:9/")._over_budget("explore")
