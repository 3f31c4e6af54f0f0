"""Make an archived HTML page safe to show: links rewritten or disabled, no navigation away.

The page keeps its markup (scripts included, as captured); scripts cannot run because
the capture is served with a ``sandbox`` Content-Security-Policy and shown in a
``sandbox=""`` iframe. This pass takes care of what a CSP does not cover: links to
archived posts go to their capture, every other link is disabled (its target kept
in ``data-archived-href``), and ``<base>``, ``<meta http-equiv=refresh>``, resource
hints, ``ping`` and ``target`` attributes are dropped. Images and stylesheets load from
their captures or not at all (:mod:`archive.web.assets`).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

from archive.web.assets import AssetFor, rewrite_assets

LinkFor = Callable[[str], str | None]
"""An absolute URL → the archive's link for it, or None when it is not archived."""

_HINTS = {"dns-prefetch", "preconnect", "prefetch", "preload", "prerender", "modulepreload"}
_DROP_ATTRIBUTES = ("ping", "target", "formaction")
_NOTICE = "Not archived: "


def _nothing_archived(url: str) -> str | None:
    return None


def rewrite_html(
    body: bytes,
    page_url: str,
    charset: str | None,
    link_for: LinkFor,
    asset_for: AssetFor = _nothing_archived,
) -> bytes:
    """The page as UTF-8 HTML with its links rewritten for the archive's capture view,
    and its images and stylesheets at their captures (``asset_for``)."""
    if not body.strip():
        return b""
    parser = lxml.html.HTMLParser(encoding=_codec(charset, body), remove_comments=False)
    try:
        root = lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        return b""
    base = _take_base(root, page_url)
    for element in list(root.iter()):
        if isinstance(element.tag, str):
            _rewrite_element(element, base, link_for)
            if element.getparent() is not None or element is root:
                rewrite_assets(element, base, asset_for)
    return bytes(lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>"))


def _codec(charset: str | None, body: bytes) -> str | None:
    """The encoding to parse with: the HTTP charset, else UTF-8 if the bytes are UTF-8,
    else None (lxml reads the page's ``<meta charset>``)."""
    if charset:
        try:
            return codecs.lookup(charset).name
        except LookupError:
            pass
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def _take_base(root: lxml.html.HtmlElement, page_url: str) -> str:
    """The page's base URL (its ``<base href>``, resolved), with the ``<base>`` removed."""
    base = page_url
    for element in root.iter("base"):
        href = element.get("href")
        if href and base == page_url:
            base = urljoin(page_url, href.strip())
    for element in list(root.iter("base")):
        element.drop_tree()
    return base


def _rewrite_element(element: lxml.html.HtmlElement, base: str, link_for: LinkFor) -> None:
    tag = element.tag.lower()
    if tag == "meta" and (element.get("http-equiv") or "").strip().lower() == "refresh":
        element.drop_tree()
        return
    if tag == "link" and _HINTS & set((element.get("rel") or "").lower().split()):
        element.drop_tree()
        return
    for name in _DROP_ATTRIBUTES:
        element.attrib.pop(name, None)
    if tag in ("a", "area") and element.get("href") is not None:
        _rewrite_link(element, base, link_for)
    elif tag == "form" and element.get("action") is not None:
        element.set("data-archived-action", element.attrib.pop("action"))


def _rewrite_link(element: lxml.html.HtmlElement, base: str, link_for: LinkFor) -> None:
    href = (element.get("href") or "").strip()
    if href.startswith("#"):
        return  # a jump within the page
    absolute = urljoin(base, href)
    target, fragment = urldefrag(absolute)
    local = link_for(target)
    if local is not None:
        element.set("href", local + (f"#{fragment}" if fragment else ""))
        return
    del element.attrib["href"]
    element.set("data-archived-href", absolute)
    element.set("title", _NOTICE + absolute)
    element.set("aria-disabled", "true")
