"""Fixture blogs for the tests and benchmarks: deterministic Blogger/WordPress sites.

* :func:`demo_blog` — the sample blog, rendered once into ``crawler/demo/site/`` for
  ``blogarchive demo`` (:mod:`tests.sites.render` keeps that copy up to date);
* :func:`blogger_blog`, :func:`wordpress_blog` — generated blogs for end-to-end tests and
  benchmarks;
* :class:`BlogServer` — serves any of them on 127.0.0.1.

Each :class:`Blog` carries ``truth`` (expected post records) and ``non_posts`` (pages that must
not become items). No Scrapy import here.
"""

from crawler.demo.server import Resource, Site
from tests.sites.blogs import blogger_blog, demo_blog, get_blog, wordpress_blog
from tests.sites.model import Blog
from tests.sites.server import BlogServer

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
