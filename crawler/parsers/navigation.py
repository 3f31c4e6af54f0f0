"""Discovery page objects: feeds, sitemaps, robots.txt and HTML listing pages → links.

Plain functions over bytes and lxml trees, no Scrapy. Each returns a :class:`Links`:
candidate post pages and pages to keep walking (pagination, feed pages, sitemaps).
Whether a candidate really is a post is decided later, on the fetched page.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin as _urljoin
from urllib.parse import urlsplit

from lxml import etree

from crawler.urls import canonicalize

from .dates import to_iso
from .dom import Element, attribute_text

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one file, uncompressed

# Blogger /YYYY/MM/slug.html, WordPress /YYYY/MM/DD/slug/, Hugo/Jekyll /YYYY/MM/DD/slug...
_DATED_POST = re.compile(r"^/(?:[\w-]+/)?\d{4}/\d{2}/(?:\d{2}/)?[^/?#]+(?:\.html?|/)?$")
_PAGINATION = re.compile(
    r"(/page/\d+/?$|[?&](?:paged|page)=\d+|/search\?(?:.*&)?updated-max=|[?&]start-index=\d+)"
)
_NEXT_TEXT = re.compile(
    r"^\s*(older posts?|older entries|next page|next|more posts|»|›)\s*[»›→]?\s*$", re.IGNORECASE
)
# Elements whose descendant links are post links or next-page links. They are found by one
# walk in Python, which costs less than an XPath predicate on every element's class.
_CONTAINER_CLASSES = {"entry-title": "post", "post-title": "post", "nav-previous": "next"}
_ARTICLE_HEADING_LINKS = etree.XPath("//article//*[self::h1 or self::h2 or self::h3]//a")
_NEXT_CLASSES = (" next ", " blog-pager-older-link ")
_FEED_XPATH = etree.XPath(
    "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
)
# File names with a dot that are pages (``post.html``, ``index.php``); any other extension
# (``.png``, ``.zip``, ``.xml``, ``.pdf``) is not explored as a page.
_PAGE_EXTENSIONS = frozenset({"html", "htm", "xhtml", "php", "asp", "aspx", "jsp", "shtml", "cgi"})
_MAIL_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")
_XML_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False
)


@dataclass
class Links:
    """What a navigation page leads to."""

    posts: list[str] = field(default_factory=list)
    """Candidate post pages."""
    pages: list[str] = field(default_factory=list)
    """Listing pages to walk: pagination, next feed pages."""
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    lastmod: dict[str, str] = field(default_factory=dict)
    """When a feed or sitemap says a post last changed (sitemap ``lastmod``, Atom ``updated``)."""
    other: list[str] = field(default_factory=list)
    """Every other link of the site's pages (section pages, archives, tags, about pages)."""
    feed_authors: tuple[str, ...] = ()
    """An Atom feed's own ``<author>``: the blog's author, for entries that name nobody."""
    entries: dict[str, FeedEntry] = field(default_factory=dict)
    """Every post a feed lists, with what the feed says of it (authors, publication date)."""

    def site_authors(self, least: int = 3) -> tuple[str, ...]:
        """The feed's own author, else the one author of every entry of a feed of ``least``
        entries or more: a one-author blog, whose pages without a byline are theirs too."""
        names = {entry.authors for entry in self.entries.values()}
        if self.feed_authors or len(self.entries) < least or len(names) != 1:
            return self.feed_authors
        return next(iter(names))


@dataclass(frozen=True)
class FeedEntry:
    """A feed's word on one post, for the fields its page does not state."""

    authors: tuple[str, ...] = ()
    published: str | None = None


def urljoin(base: str, href: str) -> str:
    """``urllib.parse.urljoin``, or "" for an unparsable link (``http://[oops/``)."""
    try:
        return _urljoin(base, href)
    except ValueError:
        return ""


def _root(url: str) -> str:
    """``scheme://host/`` of ``url``: all that a rooted or absolute link is joined with."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""


@functools.lru_cache(maxsize=4096)
def _join_rooted(root: str, href: str) -> str:
    """``urljoin`` for links starting with ``/`` or a scheme, the same on every page of a site.

    urljoin takes only the base's scheme and host for these, so the result is cached
    across pages: menus and sidebars repeat the same links on every page.
    """
    return urljoin(root, href)


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))


@functools.lru_cache(maxsize=8192)
def clean_url(url: str) -> str:
    """The page's one address, by :func:`crawler.urls.canonicalize`.

    ``#comments``, ``?utm_source=``, Blogger's ``?m=1`` and ``?showComment=`` are the same page.
    """
    try:
        return canonicalize(url) if url else ""
    except ValueError:  # a link no parser can read is no link
        return ""


@functools.lru_cache(maxsize=4096)  # menus and sidebars repeat their links on every page
def is_dated_post_path(url: str) -> bool:
    try:
        return bool(_DATED_POST.match(urlsplit(url).path))
    except ValueError:
        return False


@functools.lru_cache(maxsize=4096)
def is_pagination(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(_PAGINATION.search(parts.path + ("?" + parts.query if parts.query else "")))


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as a file, not content-encoded
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
                body = unzipped.read(MAX_SITEMAP_BYTES + 1)[:MAX_SITEMAP_BYTES]
        except (OSError, EOFError):
            return None
    try:
        root = etree.fromstring(body.lstrip(), _XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def feed_links(url: str, body: bytes) -> Links:
    """RSS or Atom: entry links are posts; ``<link rel=next>`` is the next feed page."""
    root = _xml_root(body)
    links = Links()
    if root is None:
        return links
    feed_authors = _authors(root)  # Atom: the feed's <author> is every entry's by default
    links.feed_authors = feed_authors
    for element in root.iter():
        name = _local(element.tag)
        if name == "item":
            found = _rss_item_links(url, element)
            links.posts.extend(found)
            _note_entry(links, found, _authors(element), _child_text(element, "pubdate"))
        elif name == "entry":
            found = _atom_links(url, element, {"alternate", ""})
            links.posts.extend(found)
            _note_lastmod(links, found, _child_text(element, "updated"))
            authors = _authors(element) or feed_authors
            # Atom 0.3 and old Jekyll templates give <updated> only: the date the feed states.
            date = _child_text(element, "published") or _child_text(element, "updated")
            _note_entry(links, found, authors, date)
        elif name == "link" and element.get("rel") == "next" and element.get("href"):
            links.pages.append(urljoin(url, element.get("href", "")))
    links.posts = _unique(links.posts)
    links.pages = _unique(links.pages)
    return links


def _authors(element: etree._Element) -> tuple[str, ...]:
    """Atom ``<author><name>``, RSS ``<dc:creator>``, or RSS ``<author>`` ("mail (Name)")."""
    found: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "author" and len(child):
            found.append(_child_text(child, "name"))
        elif name in ("creator", "author") and child.text:
            found.append(_mail_name(child.text.strip()))
    return tuple(dict.fromkeys(n for n in found if n and "@" not in n))


def _mail_name(value: str) -> str:
    """``jane@example.org (Jane Doe)`` → ``Jane Doe``; a bare address is no name."""
    match = _MAIL_NAME.match(value)
    return match.group(1).strip() if match else value


def _note_entry(links: Links, urls: list[str], authors: tuple[str, ...], date: str) -> None:
    entry = FeedEntry(authors, to_iso(date) if date else None)
    for found in urls:
        links.entries[found] = entry


def _rss_item_links(url: str, item: etree._Element) -> list[str]:
    for child in item:
        if _local(child.tag) == "link" and (child.text or "").strip():
            return [urljoin(url, (child.text or "").strip())]
    return []


def _atom_links(url: str, entry: etree._Element, rels: set[str]) -> list[str]:
    found = []
    for child in entry:
        is_link = _local(child.tag) == "link" and child.get("rel", "") in rels
        if is_link and child.get("href") and "html" in child.get("type", "text/html"):
            found.append(urljoin(url, child.get("href", "")))
    return found[:1]


def sitemap_links(url: str, body: bytes) -> Links:
    """A urlset lists pages (post candidates); a sitemapindex lists sitemaps."""
    root = _xml_root(body)
    links = Links()
    if root is None:
        return links
    target = links.sitemaps if _local(root.tag) == "sitemapindex" else links.posts
    for element in root.iter():
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(element, "loc")
        if loc:
            target.append(urljoin(url, loc))
            _note_lastmod(links, [target[-1]], _child_text(element, "lastmod"))
    links.posts, links.sitemaps = _unique(links.posts), _unique(links.sitemaps)
    return links


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _note_lastmod(links: Links, urls: list[str], value: str) -> None:
    if value:
        for found in urls:
            links.lastmod[found] = value


def robots_sitemaps(url: str, body: bytes) -> list[str]:
    """``Sitemap:`` lines of a robots.txt."""
    text = body.decode("utf-8", errors="replace")
    found = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(url, value.strip()))
    return _unique(found)


def html_links(url: str, tree: Element) -> Links:
    """A listing or post page: post links, pagination and advertised feeds.

    It reads the tree the page object parsed (:meth:`PostPage.links`), so a crawled page
    is parsed once, and walks its anchors once: each XPath over the whole tree costs about
    as much as that walk.
    """
    links = Links()
    join = _joiner(url)
    marked, nexts = _marked_anchors(tree)
    anchors: list[str] = []
    posts: set[str] = set()
    first: list[str] = []  # marked as "next" by markup: rel, class, nav-previous
    worded: list[str] = []  # anchors reading "Older posts", "Next", "»"
    for element in tree.iter("a", "link"):
        href = element.get("href")
        if href is None:
            continue
        if element.tag == "link":
            if element.get("rel") == "next":
                first.append(join(href))
            continue
        target = join(href)
        anchors.append(target)
        rel = element.get("rel")
        if element in marked or (rel and "bookmark" in rel.split()):
            posts.add(target)
        if rel == "next" or element in nexts or _has_class(element.get("class"), _NEXT_CLASSES):
            first.append(target)
        if _NEXT_TEXT.match(_text(element)):
            worded.append(target)
    anchors = _unique(anchors)
    found = [clean_url(a) for a in anchors if a in posts or is_dated_post_path(a)]
    links.posts = _unique(found)
    paginated = [a for a in anchors if is_pagination(a)]
    links.pages = _unique([clean_url(n) for n in (*first, *worded, *paginated)])
    links.feeds = _unique([join(h) for h in _FEED_XPATH(tree)])
    known = {*links.posts, *links.pages}
    links.other = [u for u in _unique([clean_url(a) for a in anchors]) if u not in known]
    links.other = [u for u in links.other if is_page_link(u)]
    return links


def _joiner(url: str) -> Callable[[str], str]:
    """``urljoin`` against the page, memoised: a page repeats its links (menus, widgets)."""
    joined: dict[str, str] = {}
    root = _root(url)

    def join(href: str) -> str:
        if href not in joined:
            rooted = root and href.startswith(("/", "http://", "https://"))
            joined[href] = _join_rooted(root, href) if rooted else urljoin(url, href)
        return joined[href]

    return join


def _marked_anchors(tree: Element) -> tuple[set[Element], set[Element]]:
    """Anchors inside post titles (and article headings), and inside "previous" navigation."""
    posts: set[Element] = set(_ARTICLE_HEADING_LINKS(tree))
    nexts: set[Element] = set()
    present = attribute_text(tree)
    if not any(name in present for name in _CONTAINER_CLASSES):
        return posts, nexts
    for container in tree.iter():
        value = container.get("class")
        # A cheap filter first, spelled out for _CONTAINER_CLASSES' names (two substring
        # tests cost half of a regex search, on every element of the page).
        if not value or not ("-title" in value or "nav-previous" in value):
            continue
        tokens = f" {value} "
        for name, role in _CONTAINER_CLASSES.items():
            if f" {name} " in tokens:
                (posts if role == "post" else nexts).update(container.iterdescendants("a"))
    return posts, nexts


def _has_class(value: str | None, padded: tuple[str, ...]) -> bool:
    """Whether a ``class`` value holds one of the space-padded tokens."""
    if not value:
        return False
    value = f" {value} "
    return any(token in value for token in padded)


def _text(anchor: Element) -> str:
    """``text_content()``, without its XPath call for the usual anchor of one text node."""
    return (anchor.text or "") if len(anchor) == 0 else anchor.text_content()


@functools.lru_cache(maxsize=8192)
def is_page_link(url: str) -> bool:
    """A link that may lead to an HTML page: not an image, a download, a feed or a mail link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    name = parts.path.rsplit("/", 1)[-1].lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if not (extension.isalnum() and len(extension) <= 5) or extension.isdigit():
        return True  # no extension, or a dotted slug ("python-3.11", "v1.2-notes")
    return extension in _PAGE_EXTENSIONS
