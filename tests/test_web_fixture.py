"""The archive the web UI tests share, and checks that it is what they rely on.

The demo blog is crawled twice from the fixture server: once with one post made
hostile (a ``<script>``, an ``onerror`` handler, an image and an outside link), then,
after another post's title changed, again with every post asked for (so the others
get not-modified revisits and the edited one a version 2). Built once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, run_cli
from tests.sites import BlogServer, Resource, get_blog

XIAOMI = "Why Xiaomi does not sell its smartphones in France and the US?"
HOSTILE = "Shrinking a Docker image from 900 MB to 40 MB"
EDITED = "Keychron K2 mechanical keyboard review"
PWNED = "pwned"
"""In every URL the hostile page's code would request, and in nothing else."""
SCRIPT = (
    b"<script>document.title='PWNED';window.name='pwned';"
    b"try{parent.document.title='PWNED'}catch(e){}"
    b"fetch('/pwned-script');new Image().src='/pwned-image'</script>"
)
ONERROR = (
    b"<img id='hostile-img' src='/blocked-image.png' alt='' "
    b"onerror=\"fetch('/pwned-onerror');top.document.title='PWNED'\">"
)
OUTSIDE = b"<a id='outside-link' href='https://example.invalid/elsewhere'>elsewhere</a>"


@dataclass(frozen=True)
class WebArchive:
    data_dir: Path
    base: str
    """The fixture server's base URL (no final slash); the server is stopped."""

    def url(self, title: str) -> str:
        path = next(e["url"] for e in get_blog("demo").truth if e["title"] == title)
        return self.base + path


_BUILT: dict[Path, WebArchive] = {}


def web_archive(root: Path) -> WebArchive:
    """The shared archive under ``root`` (built on first use)."""
    if root not in _BUILT:
        _BUILT[root] = _build(root / "web-archive")
    return _BUILT[root]


def _build(data_dir: Path) -> WebArchive:
    blog = get_blog("demo")
    paths = {entry["title"]: entry["url"] for entry in blog.truth}
    with BlogServer(blog) as server:
        page = server.resource(paths[HOSTILE])
        body = page.body.replace(b"</head>", SCRIPT + b"</head>", 1)
        body = body.replace(b"</body>", ONERROR + OUTSIDE + b"</body>", 1)
        server.update(paths[HOSTILE], Resource(body, page.content_type))
        _crawl(server.url, data_dir)
        page = server.resource(paths[EDITED])
        title = EDITED.encode()
        server.update(
            paths[EDITED],
            Resource(page.body.replace(title, title + b" (updated)"), page.content_type),
        )
        _crawl(server.url, data_dir, "-s", "INCREMENTAL_ENABLED=False")
        base = server.url.rstrip("/")
    return WebArchive(data_dir=data_dir, base=base)


def _crawl(url: str, data_dir: Path, *settings: str) -> None:
    result = run_cli("crawl", "--url", url, "--data-dir", str(data_dir), *LOOPBACK, *settings)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hostile_page_is_archived_with_its_script(archived: WebArchive) -> None:
    bodies = b"".join(_bodies(path) for path in (archived.data_dir / "warc").glob("*.warc.gz"))
    assert SCRIPT in bodies
    assert ONERROR in bodies


def test_the_archive_has_revisits_and_a_second_version(archived: WebArchive) -> None:
    items = (archived.data_dir / "items").glob("*.jsonl")
    text = "".join(path.read_text(encoding="utf-8") for path in items)
    assert f"{EDITED} (updated)" in text
    assert '"version":2' in text


def _bodies(path: Path) -> bytes:
    """The decoded bodies of the responses in a WARC file."""
    with path.open("rb") as stream:
        return b"".join(
            record.content_stream().read()
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        )
