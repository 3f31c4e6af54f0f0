"""A post page's requisites: the images it shows, its stylesheets and its favicon.

Read from the page object's own lxml tree (:attr:`PostPage.soup`, no second parse), no
Scrapy: :func:`page_requisites` lists what the crawler fetches and archives with a post,
and the images its item lists.

Images are those of the post itself (:attr:`PostPage.scope`: the article with its header
image), not those of the sidebar, the comments (avatars), navigation or related posts.
For each ``<img>`` the lazy-loading attributes (``data-src``, ``data-lazy-src``,
``data-original``, ``data-srcset``) and ``srcset`` count, as does ``<picture><source
srcset>`` and the ``<noscript>`` fallback of a lazy image; the item lists each image
once, under its best URL (the largest ``srcset`` candidate, else the lazy URL, else
``src``), and the crawler fetches that URL and the plain ``src`` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from .base import PostPage
from .dom import Element, absolute, attr, body_of, clean_text, is_foreign, make_soup

LAZY_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
_ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon"})
_DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)([wx])$", re.IGNORECASE)
# srcset candidates are split on commas followed by whitespace: URLs may hold commas.
_CANDIDATES = re.compile(r",\s+")
# Bylines' and comments' portraits: people, not what the post shows.
_AVATAR = re.compile(r"avatar", re.IGNORECASE)


@dataclass(frozen=True)
class Image:
    """An image the post shows: the absolute URL it is archived under, its alt text."""

    url: str
    alt: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "alt": self.alt}


@dataclass(frozen=True)
class Requisites:
    """What a post page needs to be shown again, each URL absolute and once."""

    images: tuple[Image, ...] = ()
    """The post's images, in document order, each once (its best URL)."""
    image_urls: tuple[str, ...] = ()
    """Every image URL to fetch: the best ones and the plain ``src`` of each."""
    stylesheets: tuple[str, ...] = ()
    icons: tuple[str, ...] = ()

    @property
    def urls(self) -> list[str]:
        """Everything to fetch, images first, each once."""
        return list(dict.fromkeys([*self.image_urls, *self.stylesheets, *self.icons]))


def page_requisites(page: PostPage) -> Requisites:
    """The requisites of a parsed page (its post's images, stylesheets, favicon)."""
    return requisites(page.url, page.soup, page.scope)


def requisites(url: str, root: Element, scope: Element | None = None) -> Requisites:
    """The requisites of the page ``root`` at ``url``; images only within ``scope``."""
    images: dict[str, Image] = {}
    fetch: list[str] = []
    for img in _images(scope if scope is not None else body_of(root)):
        best, others = _image_urls(url, img)
        if best and best not in images and not _placeholder(img):
            images[best] = Image(best, clean_text(img.get("alt")))
        fetch += [u for u in (best, *others) if u]
    return Requisites(
        images=tuple(images.values()),
        image_urls=tuple(dict.fromkeys(fetch)),
        stylesheets=tuple(_links(url, root, lambda rels: "stylesheet" in rels)),
        icons=tuple(_links(url, root, lambda rels: bool(rels & _ICON_RELS))) or _default_icon(url),
    )


def requisites_of_html(url: str, html: str | bytes) -> Requisites:
    """The requisites of a page's HTML, the whole body being the post (for tests, tools)."""
    root = make_soup(html)
    return requisites(url, root)


def _images(scope: Element) -> list[Element]:
    """``<img>`` elements of the post, in document order, with those of ``<noscript>``
    fallbacks (which lxml may keep as text); not avatars (bylines' portraits), nor
    ``<video>``/``<audio>`` sources (media, not fetched)."""
    found = []
    for element in scope.iter("img", "noscript"):
        if is_foreign(element, scope) or _AVATAR.search(attr(element, "class")):
            continue
        if element.tag == "noscript":
            markup = (element.text or "").strip()
            if element.find(".//img") is None and "<img" in markup.lower():
                found += list(body_of(make_soup(markup)).iter("img"))
            continue
        found.append(element)
    return found


def _image_urls(base: str, img: Element) -> tuple[str, list[str]]:
    """The image's best URL and its other fetchable ones (``src``, placeholders); in a
    ``<picture>``, its ``<source srcset>`` candidates count as the image's own."""
    sets = [next((attr(img, a) for a in SRCSET_ATTRIBUTES if attr(img, a)), "")]
    picture = _picture_of(img)
    if picture is not None:
        sets += [attr(s, a) for s in picture.iter("source") for a in SRCSET_ATTRIBUTES]
    largest = _largest(", ".join(s for s in sets if s))
    lazy = next((attr(img, a) for a in LAZY_ATTRIBUTES if attr(img, a)), "")
    src = attr(img, "src")
    choices = [_fetchable(base, u) for u in (largest, lazy, src)]
    best = next((u for u in choices if u), "")
    return best, list(dict.fromkeys(u for u in choices if u and u != best))


def _picture_of(img: Element) -> Element | None:
    """The ``<picture>`` around an image (libxml2 nests the image in an unclosed
    ``<source>``)."""
    parent = img.getparent()
    while parent is not None and parent.tag == "source":
        parent = parent.getparent()
    return parent if parent is not None and parent.tag == "picture" else None


def _placeholder(img: Element) -> bool:
    """A lazy image's stand-in: a plain ``src`` followed by its ``<noscript>`` fallback,
    which names the image itself (fetched for replay, not listed)."""
    if any(attr(img, a) for a in (*LAZY_ATTRIBUTES, *SRCSET_ATTRIBUTES)):
        return False
    after = img.getnext()
    return after is not None and after.tag == "noscript" and "<img" in _markup(after)


def _markup(element: Element) -> str:
    return (element.text or "").lower() if element.find(".//img") is None else "<img"


def _largest(srcset: str) -> str:
    """The candidate of a ``srcset`` with the largest width (or density) descriptor."""
    best, best_size = "", -1.0
    for candidate in _CANDIDATES.split(srcset.strip()):
        parts = candidate.strip().rstrip(",").split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and (match := _DESCRIPTOR.match(parts[-1])):
            size = float(match.group(1))
        if size > best_size:
            best, best_size = parts[0], size
    return best


def _links(base: str, root: Element, wanted: Callable[[frozenset[str]], bool]) -> list[str]:
    found = []
    for link in root.iter("link"):
        rels = frozenset(attr(link, "rel").lower().split())
        if wanted(rels) and (url := _fetchable(base, attr(link, "href"))):
            found.append(url)
    return list(dict.fromkeys(found))


def _default_icon(url: str) -> tuple[str, ...]:
    """``/favicon.ico``, where browsers look when a page names no icon."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ()
    return (f"{parts.scheme}://{parts.netloc}/favicon.ico",)


def _fetchable(base: str, raw: str) -> str:
    """The absolute http(s) URL of ``raw`` without its fragment; "" for ``data:`` and the
    like."""
    raw = raw.strip()
    if not raw or raw.startswith(("data:", "javascript:", "about:", "blob:")):
        return ""
    url = urldefrag(absolute(base, raw))[0]
    return url if urlsplit(url).scheme in ("http", "https") else ""


# url(…) in CSS, quoted or not; @import "…" without url().
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*["']?([^"')\s]*)["']?\s*\)|"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# Fonts are not fetched (off by default, as video and audio are).
_FONT = re.compile(r"\.(?:woff2?|ttf|otf|eot)(?:[?#].*)?$", re.IGNORECASE)


def css_requisites(url: str, css: str) -> tuple[list[str], list[str]]:
    """The images a stylesheet's ``url()``s name and the stylesheets it ``@import``s, as
    absolute URLs, each once; fonts and ``data:`` URIs left out."""
    css = _CSS_COMMENT.sub(" ", css)
    imports = [
        _fetchable(url, next(g for g in m.groups() if g is not None))
        for m in _CSS_IMPORT.finditer(css)
    ]
    images = []
    for match in _CSS_URL.finditer(css):
        found = _fetchable(url, next(g for g in match.groups() if g is not None))
        if found and found not in imports and not _FONT.search(urlsplit(found).path):
            images.append(found)
    return list(dict.fromkeys(images)), list(dict.fromkeys(u for u in imports if u))
