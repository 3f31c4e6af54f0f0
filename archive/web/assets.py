"""Show a capture with its archived images and stylesheets, and nothing else.

The capture view's policy lets images and stylesheets load from the UI's own origin
(``img-src 'self'``, ``style-src 'self'``), never from the blog's. So every URL an archived
page would load them from is rewritten: one that is archived goes to the UI's capture of
it (``asset_for``), any other is removed (kept in a ``data-archived-*`` attribute), so
that a relative URL cannot reach the UI itself either. ``<img>``: ``src``, ``srcset`` and,
since no script runs to swap them in, the lazy-loading ``data-src``/``data-srcset``;
``<source srcset>``, ``<link rel=stylesheet|icon>``, ``poster``/``background``
attributes, ``style`` attributes, ``<style>`` blocks and stylesheets' ``url()`` and
``@import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import lxml.html

AssetFor = Callable[[str], str | None]
"""An absolute URL → the UI's URL of its archived copy, or None when not archived."""

_LAZY = ("data-src", "data-lazy-src", "data-original")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_IMAGE_ATTRIBUTES = ("poster", "background")
_LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon"}
# url(...) with or without quotes, and @import "..." without url().
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(.*?)\1\s*\)|(@import\s+)(['"])(.*?)\4""", re.IGNORECASE | re.DOTALL
)
_NOWHERE = "data:,"
_CANDIDATES = re.compile(r",\s+")


def rewrite_assets(element: lxml.html.HtmlElement, base: str, asset_for: AssetFor) -> None:
    """Point the element's image and stylesheet URLs at their captures, or remove them."""
    tag = element.tag.lower()
    if tag == "img":
        _image(element, base, asset_for)
    elif tag == "source" and element.get("srcset") is not None:
        _srcset(element, "srcset", base, asset_for)
    elif tag == "link" and _LOADING_RELS & set((element.get("rel") or "").lower().split()):
        _attribute(element, "href", base, asset_for)
    elif tag == "style" and element.text:
        element.text = rewrite_css(element.text, base, asset_for)
    for name in _IMAGE_ATTRIBUTES:
        if element.get(name) is not None:
            _attribute(element, name, base, asset_for)
    if element.get("style"):
        element.set("style", rewrite_css(element.get("style") or "", base, asset_for))


def rewrite_css(css: str, base: str, asset_for: AssetFor) -> str:
    """A stylesheet with each ``url()`` and ``@import`` at its capture, or at nothing."""

    def replace(match: re.Match[str]) -> str:
        if match.group(3):
            return f'{match.group(3)}"{_local(match.group(5), base, asset_for) or _NOWHERE}"'
        raw = match.group(2).strip()
        if raw.lower().startswith("data:"):
            return match.group(0)
        return f'url("{_local(raw, base, asset_for) or _NOWHERE}")'

    return _CSS_URL.sub(replace, css)


def _image(img: lxml.html.HtmlElement, base: str, asset_for: AssetFor) -> None:
    """``src`` at its capture, else at the capture of a lazy-loading URL, else removed."""
    src = (img.get("src") or "").strip()
    lazy = [u for u in (img.get(a) for a in _LAZY) if u and u.strip()]
    found = None if src.lower().startswith("data:") and lazy else _local(src, base, asset_for)
    for url in lazy if found is None else ():
        found = _local(url, base, asset_for)
        if found:
            break
    if found:
        img.set("src", found)
    elif src and not src.lower().startswith("data:"):
        img.set("data-archived-src", img.attrib.pop("src"))
    for name in ("srcset", *_LAZY_SRCSET):
        if img.get(name) is not None:
            _srcset(img, name, base, asset_for)
    lazy_srcset = [img.attrib.pop(a) for a in _LAZY_SRCSET if img.get(a)]
    if img.get("srcset") is None and lazy_srcset and lazy_srcset[0]:
        img.set("srcset", lazy_srcset[0])


def _srcset(element: lxml.html.HtmlElement, name: str, base: str, asset_for: AssetFor) -> None:
    """Only the archived candidates, at their captures; none: the attribute is removed."""
    raw = element.get(name) or ""
    kept = []
    for candidate in _CANDIDATES.split(raw.strip()):
        url, _, descriptor = candidate.strip().partition(" ")
        local = _local(url, base, asset_for) if url else None
        if local:
            kept.append(f"{local} {descriptor.strip()}".strip())
    if kept:
        element.set(name, ", ".join(kept))
    else:
        element.set(f"data-archived-{name}", element.attrib.pop(name))


def _attribute(element: lxml.html.HtmlElement, name: str, base: str, asset_for: AssetFor) -> None:
    local = _local(element.get(name) or "", base, asset_for)
    if local:
        element.set(name, local)
    else:
        element.set(f"data-archived-{name}", element.attrib.pop(name))


def _local(url: str, base: str, asset_for: AssetFor) -> str | None:
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    return asset_for(urljoin(base, url).split("#", 1)[0])
