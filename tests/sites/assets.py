"""A fixture blog whose posts show images from another host, plus a theme stylesheet
that imports another and names images of both hosts.

The blog is served on 127.0.0.1 and its images on a second server reached as
``localhost``: another host name, as a CDN is for a real blog. Scrapy tells hosts apart by
name (its offsite filter and download slots), so a second port on 127.0.0.1 would be the
same host to it and prove nothing about fetching from other hosts.

Each post shows three images, a plain ``<img>``, a lazy ``data-src`` one and a ``srcset``
one, and, out of bounds, an image its host's robots.txt forbids and an "image" that is an
HTML page (neither may be archived); a sidebar image and a comment avatar are not the
post's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from crawler.demo.server import Resource

IMAGE_HOST = "localhost"
STALE = "/img/02-plain.png"
"""The image whose ``Cache-Control`` says it is never fresh."""


def theme_css(img: str) -> bytes:
    """The theme stylesheet: an import, a background on the blog, one on the image host
    and a font (not fetched)."""
    return (
        '@import url("/extra.css");\n'
        "body { font-family: serif; background: url(/img/bg.png); }\n"
        f".hero {{ background-image: url('{img}img/pattern.png'); }}\n"
        '@font-face { font-family: x; src: url("/fonts/x.woff2") format("woff2"); }\n'
    ).encode()


EXTRA_CSS = b".note { background: url(img/note.png) no-repeat; }\n"
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


@dataclass(frozen=True)
class AssetBlog:
    posts: int

    def post_path(self, n: int) -> str:
        return f"/posts/{n:02d}.html"

    def images(self, n: int, img: str) -> dict[str, str]:
        """The post's listed images (URL → alt), in document order."""
        return {
            f"{img}img/{n:02d}-plain.png": f"Plain figure {n}",
            f"{img}img/{n:02d}-lazy.png": f"Lazy figure {n}",
            f"{img}img/{n:02d}-large.png": f"Responsive figure {n}",
        }

    def fetched(self, n: int, img: str) -> set[str]:
        """Every image of the post that must be archived (the srcset's small one too)."""
        return {*self.images(n, img), f"{img}img/{n:02d}-small.png"}

    def blog_site(self, base: str, img: str) -> dict[str, Resource]:
        """The blog's pages at ``base``, naming images under ``img`` (the image server's)."""
        site = {
            "/": Resource(self._home(), "text/html; charset=utf-8"),
            "/sitemap.xml": Resource(self._sitemap(base), "application/xml"),
            "/theme.css": Resource(theme_css(img), "text/css"),
            "/extra.css": Resource(EXTRA_CSS, "text/css"),
            "/img/bg.png": Resource(b"\x89PNG background", "image/png"),
            "/img/note.png": Resource(b"\x89PNG note", "image/png"),
            "/fonts/x.woff2": Resource(b"wOF2", "font/woff2"),
            "/favicon.ico": Resource(b"\x00\x00\x01\x00", "image/x-icon"),
        }
        for n in range(1, self.posts + 1):
            site[self.post_path(n)] = Resource(self._post(n, img), "text/html; charset=utf-8")
        return site

    def image_site(self) -> dict[str, Resource]:
        site = {
            "/robots.txt": Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "/private/secret.png": Resource(b"\x89PNG secret", "image/png"),
            "/img/page.png": Resource(b"<html><body>not an image</body></html>", "text/html"),
        }
        for n in range(1, self.posts + 1):
            for name in ("plain", "lazy", "small", "large"):
                body = b"\x89PNG\r\n\x1a\n" + f"{name} image of post {n}".encode() * 20
                site[f"/img/{n:02d}-{name}.png"] = Resource(body, "image/png")
        # Its own headers make this one stale at once: asked again by every crawl.
        site[STALE] = replace(site[STALE], headers={"Cache-Control": "max-age=0"})
        site["/img/sidebar.png"] = Resource(b"\x89PNG sidebar", "image/png")
        site["/img/pattern.png"] = Resource(b"\x89PNG pattern", "image/png")
        return site

    def _home(self) -> bytes:
        links = "".join(
            f'<li><a href="{self.post_path(n)}">Post number {n}</a></li>'
            for n in range(1, self.posts + 1)
        )
        return f"<html><head><title>Asset blog</title></head><body><ul>{links}</ul></body></html>".encode()

    def _sitemap(self, base: str) -> bytes:
        urls = "".join(
            f"<url><loc>{base.rstrip('/')}{self.post_path(n)}</loc><lastmod>2024-01-{n % 28 + 1:02d}</lastmod></url>"
            for n in range(1, self.posts + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        ).encode()

    def _post(self, n: int, img: str) -> bytes:
        plain, lazy, large = self.images(n, img).items()
        ld = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": f"Post number {n}",
            "datePublished": f"2024-01-{n % 28 + 1:02d}",
            "author": {"@type": "Person", "name": "Ada Writer"},
        }
        words = " ".join(f"word{i}" for i in range(120))
        return f"""<!DOCTYPE html><html lang="en"><head><title>Post number {n}</title>
<link rel="stylesheet" href="/theme.css">
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><article class="post"><h1>Post number {n}</h1>
<p>{words}</p>
<img src="{plain[0]}" alt="{plain[1]}">
<p>{words}</p>
<img src="{_PIXEL}" data-src="{lazy[0]}" alt="{lazy[1]}" class="lazyload">
<p>{words}</p>
<img src="{img}img/{n:02d}-small.png" srcset="{img}img/{n:02d}-small.png 400w, {large[0]} 1600w" alt="{large[1]}">
<p>{words}</p>{out_of_bounds(img) if n == 1 else ""}
<div class="comments"><img src="{img}img/avatar.png" class="avatar"></div>
</article>
<aside class="sidebar"><img src="{img}img/sidebar.png"></aside>
</body></html>""".encode()


def out_of_bounds(img: str) -> str:
    """A post body naming an image its host forbids and an "image" that is an HTML page."""
    return (
        f'<img src="{img}private/secret.png" alt="secret"><img src="{img}img/page.png" alt="page">'
    )
