"""One Atom ``<entry>`` (a Blogger feed entry) → :class:`PostRecord`.

Authors come from ``<author><name>`` only: ``<email>`` (Blogger's constant
``noreply@blogger.com``) and ``<uri>`` are never names. Labels are the ``<category>`` terms
(Blogger's own scheme, else every term). Ratings are not in feeds (markup.md §2.6).
"""

from __future__ import annotations

from lxml import etree

from archive.records import PostRecord

from . import authors as names
from .blogger import BloggerPage
from .dates import to_iso
from .dom import clean_text, make_soup
from .generic import GenericPage
from .text import render_body

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER_LABELS = "http://www.blogger.com/atom/ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)


def _entry(xml: str | bytes) -> etree._Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, parser=_PARSER)
    if root is None:
        raise ValueError("not an XML document")
    if root.tag == f"{ATOM}entry":
        return root
    entry = root.find(f"{ATOM}entry")
    if entry is None:
        raise ValueError("no Atom <entry> in the document")
    return entry


def _text(entry: etree._Element, tag: str) -> str:
    node = entry.find(f"{ATOM}{tag}")
    return clean_text(node.text) if node is not None and node.text else ""


def _labels(entry: etree._Element) -> list[str]:
    categories = entry.findall(f"{ATOM}category")
    own = [c for c in categories if c.get("scheme") == BLOGGER_LABELS]
    return [clean_text(c.get("term")) for c in own or categories if c.get("term")]


def _link(entry: etree._Element) -> str | None:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    return None


def _body(entry: etree._Element) -> str:
    node = entry.find(f"{ATOM}content")
    if node is None:
        node = entry.find(f"{ATOM}summary")
    if node is None or not node.text:
        return ""
    if node.get("type", "text") == "text":
        return "\n\n".join(clean_text(p) for p in node.text.split("\n\n") if clean_text(p))
    root = make_soup(f"<html><body><div>{node.text}</div></body></html>")
    return render_body(root.find("body"))


def _platform(entry: etree._Element) -> str:
    """Blogger's entry ids are ``tag:blogger.com,1999:blog-…``; other feeds say nothing."""
    page = BloggerPage if "blogger.com" in _text(entry, "id") else GenericPage
    return page.platform


def parse_feed_entry(xml: str | bytes, url: str | None = None) -> PostRecord:
    """The post record of one Atom entry (``url`` defaults to its ``alternate`` link)."""
    entry = _entry(xml)
    authors = [_text(a, "name") for a in entry.findall(f"{ATOM}author")]
    body = _body(entry)
    record = PostRecord(
        url=url or _link(entry) or _text(entry, "id"),
        title=_text(entry, "title") or None,
        authors=names.dedupe(authors, split=False),
        published=to_iso(_text(entry, "published")),
        updated=to_iso(_text(entry, "updated")),
        body=body,
        tags=_labels(entry),
        platform=_platform(entry),
        canonical_url=_link(entry),
        language=entry.get(XML_LANG),
        word_count=len(body.split()),
    )
    return record.replace(content_hash=record.compute_content_hash())
