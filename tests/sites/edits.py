"""Edit a served post as a blog engine would: its title, and its sitemap ``lastmod``."""

from __future__ import annotations

from crawler.demo.server import Resource
from tests.sites.model import Blog
from tests.sites.server import BlogServer

EDITED_AT = "2099-01-01T00:00:00Z"


def edit_post(
    server: BlogServer,
    blog: Blog,
    entry: dict[str, str],
    suffix: str,
    *,
    move_lastmod: bool = True,
) -> None:
    """Append ``suffix`` to a post's title and move its ``lastmod`` in every sitemap (or,
    as Jekyll's and Hugo's default sitemaps do, leave the dates as they were)."""
    page = server.resource(entry["url"])
    title = entry["title"].encode()
    server.update(
        entry["url"], Resource(page.body.replace(title, title + suffix.encode()), page.content_type)
    )
    if not move_lastmod:
        return
    loc = f"<loc>{server.url.rstrip('/')}{entry['url']}</loc><lastmod>".encode()
    for path in blog.resources(server.url):
        if "sitemap" not in path:
            continue
        sitemap = server.resource(path)
        if loc in sitemap.body:
            head, tail = sitemap.body.split(loc, 1)
            tail = EDITED_AT.encode() + tail[tail.index(b"</lastmod>") :]
            server.update(path, Resource(head + loc + tail, sitemap.content_type))


def editable(blog: Blog, count: int) -> list[dict[str, str]]:
    """Posts whose title appears verbatim in their HTML (no entity to escape)."""
    plain = [e for e in blog.truth if e["title"].isascii() and not set("&<>\"'") & set(e["title"])]
    return plain[:count]
