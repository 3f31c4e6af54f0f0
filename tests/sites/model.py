"""Shared pieces of the fixture blogs: post content blocks, rendering and truth records.

They serve :class:`~crawler.demo.server.Resource` sites, the type the product's sample-blog
server takes, so one server implementation serves the sample blog and every test blog.
"""

from __future__ import annotations

import html
import re
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from archive.records import PostRecord, Rating
from crawler.demo.server import Resource, Site, normalize_target

HTML_TYPE = "text/html; charset=UTF-8"

BlockKind = Literal["p", "h2", "h3", "ul", "ol", "pre", "img", "quote"]


@dataclass(frozen=True)
class Span:
    """A run of inline text, optionally wrapped in one element (b, i, code, a)."""

    text: str
    tag: str | None = None
    href: str | None = None


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """One block of a post body; ``lines`` for text blocks, ``text`` for pre and img."""

    kind: BlockKind
    lines: tuple[Inline, ...] = ()
    text: str = ""
    alt: str = ""


@dataclass(frozen=True)
class Comment:
    """A reader comment shown under a post (its author must never become a post author)."""

    author: str
    text: str
    date: str


@dataclass(frozen=True, kw_only=True)
class Post:
    """A post of a demo blog, before rendering."""

    path: str
    title: str
    authors: tuple[str, ...]
    published: str
    """ISO datetime as written in the page markup."""
    modified: str
    """ISO datetime used by feeds and sitemaps."""
    updated: str | None
    """The modification date the HTML page states (None when it states none)."""
    tags: tuple[str, ...]
    blocks: tuple[Block, ...]
    rating: Rating | None
    shape: str
    post_id: str
    comments: tuple[Comment, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Blog:
    """A generated blog: its renderer, the expected records and the non-post HTML pages."""

    name: str
    platform: str
    build: Callable[[str], Site]
    truth: list[dict[str, Any]]
    """Expected ``PostRecord.to_dict()`` per post, minus site/fetched_at/warc; paths as URLs."""
    non_posts: list[str]
    """Paths of HTML pages (listings, labels, archives, static pages) that are not posts."""
    shapes: dict[str, str] = field(default_factory=dict)
    """Post path → page shape name (see ``blogger.py`` / ``wordpress.py``), for diagnostics."""

    def resources(self, base_url: str) -> Site:
        """Render every resource with absolute links to ``base_url``."""
        return {normalize_target(k): v for k, v in self.build(base_of(base_url)).items()}

    @property
    def post_paths(self) -> list[str]:
        """Paths of all posts, newest first."""
        return [str(t["url"]) for t in self.truth]

    def expected(self, base_url: str) -> list[dict[str, Any]]:
        """The truth records with ``url`` and ``canonical_url`` made absolute."""
        base = base_of(base_url)
        out = []
        for record in self.truth:
            item = dict(record)
            item["url"] = base + record["url"]
            if record.get("canonical_url"):
                item["canonical_url"] = base + record["canonical_url"]
            out.append(item)
        return out


def base_of(base_url: str) -> str:
    """``http://host:port/`` → ``http://host:port`` (no trailing slash)."""
    return base_url.rstrip("/")


# -- inline mini-markup -----------------------------------------------------------------------

_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|`(.+?)`|\[(.+?)\]\((.+?)\)")


def inline(source: str) -> Inline:
    """Parse ``**b**``, ``*i*``, `` `code` `` and ``[text](href)`` into spans."""
    spans: list[Span] = []
    pos = 0
    for m in _INLINE.finditer(source):
        if m.start() > pos:
            spans.append(Span(source[pos : m.start()]))
        if m.group(1) is not None:
            spans.append(Span(m.group(1), "b"))
        elif m.group(2) is not None:
            spans.append(Span(m.group(2), "i"))
        elif m.group(3) is not None:
            spans.append(Span(m.group(3), "code"))
        else:
            spans.append(Span(m.group(4), "a", m.group(5)))
        pos = m.end()
    if pos < len(source):
        spans.append(Span(source[pos:]))
    return tuple(spans)


def para(source: str) -> Block:
    return Block("p", (inline(source),))


def heading(source: str, level: int = 2) -> Block:
    return Block("h2" if level == 2 else "h3", (inline(source),))


def bullets(*items: str, ordered: bool = False) -> Block:
    return Block("ol" if ordered else "ul", tuple(inline(i) for i in items))


def code(text: str) -> Block:
    return Block("pre", text=text)


def image(src: str, alt: str = "") -> Block:
    return Block("img", text=src, alt=alt)


def quoted(source: str) -> Block:
    return Block("quote", (inline(source),))


# -- rendering and truth text ------------------------------------------------------------------


def esc(text: str) -> str:
    """HTML-escape text and attribute values (quotes included)."""
    return html.escape(text, quote=True)


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return " ".join(text.split())


def inline_text(spans: Inline) -> str:
    return collapse("".join(s.text for s in spans))


def block_texts(block: Block) -> list[str]:
    """The paragraphs a block contributes to the plain-text body."""
    if block.kind == "pre":
        return [block.text]
    if block.kind == "img":
        return []
    return [t for t in (inline_text(line) for line in block.lines) if t]


def body_text(blocks: Iterable[Block]) -> str:
    """Plain-text body: paragraphs joined by one blank line."""
    return "\n\n".join(t for b in blocks for t in block_texts(b))


def render_inline(spans: Inline, base: str) -> str:
    out = []
    for s in spans:
        text = esc(s.text)
        if s.tag == "a":
            href = base + s.href if s.href and s.href.startswith("/") else s.href or "#"
            out.append(f'<a href="{esc(href)}">{text}</a>')
        elif s.tag:
            out.append(f"<{s.tag}>{text}</{s.tag}>")
        else:
            out.append(text)
    return "".join(out)


def render_block(block: Block, base: str, para_tag: str = "p") -> str:
    """One block as HTML; ``para_tag`` lets Blogger posts use ``div`` paragraphs."""
    if block.kind == "pre":
        return f"<pre><code>{esc(block.text)}</code></pre>"
    if block.kind == "img":
        src = esc(base + block.text if block.text.startswith("/") else block.text)
        return (
            f'<div class="separator" style="clear: both; text-align: center;">'
            f'<a href="{src}" style="margin-left: 1em; margin-right: 1em;">'
            f'<img border="0" data-original-height="720" data-original-width="1280" '
            f'src="{src}" alt="{esc(block.alt)}" width="400" /></a></div>'
        )
    if block.kind in ("ul", "ol"):
        items = "".join(f"<li>{render_inline(line, base)}</li>" for line in block.lines)
        return f"<{block.kind}>{items}</{block.kind}>"
    inner = render_inline(block.lines[0], base)
    if block.kind == "quote":
        return f"<blockquote>{inner}</blockquote>"
    if block.kind in ("h2", "h3"):
        return f"<{block.kind}>{inner}</{block.kind}>"
    return f"<{para_tag}>{inner}</{para_tag}>"


def render_blocks(blocks: Iterable[Block], base: str, para_tag: str = "p") -> str:
    return "\n".join(render_block(b, base, para_tag) for b in blocks)


def excerpt(blocks: Iterable[Block], words: int = 40) -> str:
    """The first ``words`` words of the body, for listings and feeds."""
    tokens = body_text(blocks).split()
    text = " ".join(tokens[:words])
    return text + (" …" if len(tokens) > words else "")


def truth_record(post: Post, *, platform: str, language: str) -> dict[str, Any]:
    """The expected record of a post, in ``PostRecord.to_dict()`` form without crawl fields."""
    record = PostRecord(
        url=post.path,
        title=collapse(post.title),
        authors=list(post.authors),
        published=post.published,
        updated=post.updated,
        body=body_text(post.blocks),
        rating=post.rating,
        tags=list(dict.fromkeys(post.tags)),
        platform=platform,
        canonical_url=post.path,
        language=language,
    ).to_dict()
    for key in ("site", "fetched_at", "warc"):
        del record[key]
    return record


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PIXEL_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80", 9))
    + _png_chunk(b"IEND", b"")
)
"""A valid 1x1 grey PNG: what the fixture blogs serve for their posts' images."""


def image_resources(posts: Iterable[Post]) -> Site:
    """The images the posts show on their own site (paths), each served as a PNG."""
    return {
        normalize_target(block.text): Resource(PIXEL_PNG, "image/png")
        for post in posts
        for block in post.blocks
        if block.kind == "img" and block.text.startswith("/")
    }


def text_resource(body: str, content_type: str = HTML_TYPE) -> Resource:
    return Resource(body.encode("utf-8"), content_type)


def slugify(title: str, max_len: int = 60) -> str:
    """A lowercase ASCII slug of a title, cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))
    slug = ""
    for w in words:
        candidate = f"{slug}-{w}" if slug else w
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or "post"
