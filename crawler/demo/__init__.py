"""Demo blogs for blogarchive: deterministic Blogger/WordPress fixture sites and a loopback server.

* :func:`demo_blog` — the bundled sample blog behind ``blogarchive demo``;
* :func:`blogger_blog`, :func:`wordpress_blog` — generated blogs for end-to-end tests and benchmarks;
* :class:`BlogServer` — serves any of them on 127.0.0.1 (``python -m crawler.demo.server``).

Each :class:`Blog` carries ``truth`` (expected post records) and ``non_posts`` (pages that must
not become items). No Scrapy import here.
"""

from typing import TYPE_CHECKING, Any

from crawler.demo.blogs import blogger_blog, demo_blog, get_blog, wordpress_blog
from crawler.demo.model import Blog, Resource, Site

if TYPE_CHECKING:
    from crawler.demo.server import BlogServer


def __getattr__(name: str) -> Any:
    """Import the server lazily, so ``python -m crawler.demo.server`` runs without a warning."""
    if name == "BlogServer":
        from crawler.demo.server import BlogServer

        return BlogServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Blog",
    "BlogServer",
    "Resource",
    "Site",
    "blogger_blog",
    "demo_blog",
    "get_blog",
    "wordpress_blog",
]
