"""Page kinds: a ``post``, a standalone ``page`` or a ``listing`` (never an item).

Signals, strongest first: the generator's own body classes (Ghost templates, Blogger views,
the ``kind-*``/``list-page`` classes of Hugo themes), schema.org types, ``og:type``, then the
page's shape: a page whose main area is a run of teasers (headings that link to other pages
of the site) with little text of its own is a listing; a page with article markup, or a
heading, a date and some text, is a post however short. Plain functions over lxml.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .dom import Element, body_of, classes, is_foreign, is_foreign_region, text_of
from .jsonld import JsonLd, types_of

POST, PAGE, LISTING, ERROR = "post", "page", "listing", "error"
ITEM_KINDS = (POST, PAGE)

# Body classes that generators put on one kind of page only: Ghost's {{body_class}},
# Blogger's view classes, and the ``kind-*``/``list-page`` classes of common Hugo themes.
_LISTING_CLASSES = {
    "tag-template": "a Ghost tag page",
    "author-template": "a Ghost author page",
    "home-template": "a Ghost home page",
    "paged": "a paginated listing",
    "index-view": "a Blogger home page",
    "archive-view": "a Blogger archive page",
    "label-view": "a Blogger label page",
    "search-view": "a Blogger search page",
    "feed-view": "a Blogger feed view",
    "list-page": "a list page",
    "kind-term": "a taxonomy term page",
    "kind-taxonomy": "a taxonomy page",
    "kind-section": "a section page",
    "kind-home": "the home page",
    "search-results": "a search results page",
}
_PAGE_CLASSES = {"page-template": "a Ghost page", "static-view": "a Blogger static page"}
_POST_CLASSES = frozenset({"single-post", "post-template", "item-view"})
_LISTING_TYPES = frozenset(
    {"collectionpage", "itemlist", "blog", "series", "profilepage", "searchresultspage"}
)
_TEASER_HEADINGS = ("h1", "h2", "h3", "h4", "h5")
# Regions that are the site's frame, not a page's own text.
_FRAME_TAGS = frozenset({"header", "footer", "button", "select", "script", "style"})
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})
_PROSE_TAGS = frozenset({"p", "pre", "blockquote", "table", "figure"})
TEASER_CARD = 2000  # characters: a lone teaser's card is never larger (a post around it is)
OWN_TEXT = 400  # characters of text outside teasers and links that make more than a listing
SHORT_POST = 80  # characters of its own text that a headed, dated page needs to be a post
SHORT_PAGE = 200  # characters of paragraphs that a headed, undated page needs to be a page
_DATED_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0[1-9]|1[0-2])/(?:\d{2}/)?[^/]+")


@dataclass(frozen=True)
class Kind:
    """What a page is, and why."""

    kind: str
    reason: str
    settled: bool = True
    """False for the last-resort guess (little text, no markup either way)."""

    @property
    def is_item(self) -> bool:
        return self.kind in ITEM_KINDS

    def in_feed(self) -> Kind:
        """The kind of a page the blog's own feed lists: a post, unless the page says
        plainly that it is something else."""
        if self.kind == PAGE or (self.kind == LISTING and not self.settled):
            return Kind(POST, f"listed in the blog's feed ({self.reason})")
        return self


def class_kind(body: Element) -> Kind | None:
    """The kind the generator's body classes state, if any."""
    found = classes(body)
    for name in found:
        if name in _LISTING_CLASSES:
            return Kind(LISTING, f"{_LISTING_CLASSES[name]} (body class {name!r})")
    for name in found:
        if name in _PAGE_CLASSES:
            return Kind(PAGE, f"{_PAGE_CLASSES[name]} (body class {name!r})")
    if _POST_CLASSES.intersection(found):
        return Kind(POST, "a post (body class)")
    return None


def _path(url: str) -> str:
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return ""
    return path.removesuffix("index.html").rstrip("/") or "/"


def _node_urls(jsonld: JsonLd, node: dict[str, object]) -> list[str]:
    page = jsonld.resolve(node.get("mainEntityOfPage"))
    values = [node.get("url"), node.get("@id"), page.get("@id") if isinstance(page, dict) else page]
    return [v for v in values if isinstance(v, str) and v]


def jsonld_kind(jsonld: JsonLd, urls: tuple[str, ...]) -> Kind | None:
    """An article node for this page makes a post; a collection type alone, a listing.

    Several article nodes do not make a listing: article pages list their related posts."""
    articles = jsonld.articles()
    paths = {_path(u) for u in urls if u}
    for node in articles:
        if any(_path(v) in paths for v in _node_urls(jsonld, node)):
            return Kind(POST, "a post (its JSON-LD article)")
    if len({str(a.get("url") or a.get("headline")) for a in articles}) == 1:
        return Kind(POST, "a post (one JSON-LD article)")
    listing = [n for n in jsonld.top if types_of(n) & _LISTING_TYPES]
    if listing and not articles:
        return Kind(LISTING, f"a listing (JSON-LD {min(types_of(listing[0]))})")
    return None


@dataclass(frozen=True)
class Shape:
    """How a page's main area is built."""

    teasers: int
    """Distinct pages of the site that headings link to (outside sidebars and related posts)."""
    own_text: int
    """Characters of text outside teaser blocks, links, the site's frame and sidebars."""
    prose: int
    """Of ``own_text``, the characters in paragraphs, code blocks, quotes and tables."""
    link_text: int
    """Characters of text in links to other pages of the site, outside the same."""
    heading: bool
    """An ``<h1>`` of the page's own (not a teaser)."""

    @property
    def is_teaser_list(self) -> bool:
        """A run of teasers with little text of its own (a list of one: a month's archive)."""
        if self.teasers >= 2 and self.own_text < OWN_TEXT:
            return True
        return self.teasers == 1 and self.own_text < SHORT_POST

    @property
    def is_link_list(self) -> bool:
        """Mostly links to other pages of the site and little prose: an archive, an index."""
        return self.link_text > max(self.own_text, SHORT_POST) and self.prose < OWN_TEXT

    @property
    def is_listing(self) -> bool:
        return self.is_teaser_list or self.is_link_list


def page_shape(root: Element, url: str) -> Shape:
    """The shape of the page's ``<main>`` (menus and mega-menus stay outside it), else of its
    body."""
    body = _main(root)
    here = _path(url)
    host = _host(url)
    teasers: dict[Element, str] = {}
    for heading in body.iter(*_TEASER_HEADINGS):
        target = _teaser_target(heading, here, host)
        if target and not is_foreign(heading):
            teasers[heading] = target
    headings = [h for h in body.iter("h1") if h not in teasers and text_of(h)]
    headings = [h for h in headings if not is_foreign(h)]
    blocks = _teaser_blocks(list(teasers), body, headings)
    own, prose, linked = _own_text(body, blocks, here, host)
    return Shape(len(set(teasers.values())), own, prose, linked, bool(headings))


def _main(root: Element) -> Element:
    body = body_of(root)
    mains = [m for m in body.iter("main") if text_of(m)]
    if not mains:
        mains = [m for m in body.xpath(".//*[@role='main']") if text_of(m)]
    return mains[0] if len(mains) == 1 else body


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@lru_cache(maxsize=8192)
def _target(href: str, here: str, host: str) -> str:
    """The same-site path a link names, or "" (other sites, anchors, home, this page)."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return ""
    if parts.scheme not in ("", "http", "https") or (parts.hostname or host).lower() != host:
        return ""
    if not parts.path and not parts.query:
        return ""
    path = _path(href.strip()) if parts.path else here
    return "" if path in ("/", here) and not parts.query else path + ("?" + parts.query)


def _teaser_target(heading: Element, here: str, host: str) -> str:
    links = [a for a in heading.iter("a") if a.get("href")]
    parent = heading.getparent()
    if not links and parent is not None and parent.tag == "a" and parent.get("href"):
        links = [parent]
    if len(links) != 1 or len(text_of(links[0])) < len(text_of(heading)) / 2:
        return ""
    return _target(links[0].get("href") or "", here, host)


def _teaser_blocks(teasers: list[Element], body: Element, own: list[Element]) -> set[Element]:
    """Each teaser's widest ancestor that holds no other teaser and none of the page's own
    headings (its card, its ``.post-outer``)."""
    counts: Counter[Element] = Counter()
    for heading in [*teasers, *own]:
        for element in heading.iterancestors():
            if element is body:
                break
            counts[element] += 1
    blocks = set()
    for heading in teasers:
        block = heading
        for element in heading.iterancestors():
            if element is body or counts[element] > 1:
                break
            if len(teasers) == 1 and len(text_of(element)) > TEASER_CARD:
                break  # a link in a heading of a post, not a card
            block = element
        blocks.add(block)
    return blocks


def _own_text(body: Element, blocks: set[Element], here: str, host: str) -> tuple[int, int, int]:
    """Characters of text in ``body`` outside ``blocks``, frames and foreign regions: outside
    links, of which in paragraphs (prose), and inside links to other pages of the site."""
    own = prose = linked = 0
    stack = [(body, False)]
    while stack:
        element, in_prose = stack.pop()
        for child in element:
            if child.tail:
                size = len(child.tail.strip())
                own += size
                prose += size if in_prose else 0
            if not isinstance(child.tag, str) or child.tag in _SKIP_TEXT:
                continue
            if child in blocks or child.tag in _FRAME_TAGS or is_foreign_region(child):
                continue
            if child.tag == "a" and child.get("href"):
                if _target(child.get("href") or "", here, host):
                    linked += len(text_of(child))
                continue
            child_prose = in_prose or child.tag in _PROSE_TAGS
            if child.text:
                size = len(child.text.strip())
                own += size
                prose += size if child_prose else 0
            stack.append((child, child_prose))
    if body.text:
        own += len(body.text.strip())
    return own, prose, linked


def is_dated_url(url: str) -> bool:
    """``/2021/03/03/slug`` or ``/2021/03/slug.html``: a post's address on most platforms."""
    try:
        return bool(_DATED_PATH.search(urlsplit(url).path))
    except ValueError:
        return False


# A file's head with this share of control bytes (or NULs at all) is binary data: an image,
# an archive or a crashed upload served as text/html. Text in any 8-bit or UTF-8 charset has
# neither; UTF-16 and UTF-32 text has NULs, but starts with its byte order mark.
BINARY_HEAD = 4096
BINARY_SHARE = 0.1
# Counted by a regex, not a Python loop: every crawled page goes through this test.
_CONTROL_TEXT = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_binary(page: str | bytes, *, share: float = BINARY_SHARE, within: int = BINARY_HEAD) -> bool:
    """Whether a page that claims to be HTML is binary data: a NUL, or more than ``share``
    control characters in its first ``within`` bytes (or characters)."""
    head = page[:within]
    if isinstance(head, bytes):
        if head.startswith(_WIDE_BOMS):
            return False
        nul, bad = b"\x00" in head, len(_CONTROL_BYTES.findall(head))
    else:
        nul, bad = "\x00" in head, len(_CONTROL_TEXT.findall(head))
    return bool(head) and (nul or bad > share * len(head))
