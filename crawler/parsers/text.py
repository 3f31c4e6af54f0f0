"""Render a body container as plain text paragraphs, skipping boilerplate and widgets."""

from __future__ import annotations

import re
from typing import cast

from .boilerplate import drop_link_paragraphs
from .dom import Element, attr, classes, clean_text

SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "form",
        "nav",
        "aside",
        "template",
        "svg",
        "button",
        "select",
        "textarea",
        "object",
        "embed",
        "canvas",
        "audio",
        "video",
        "head",
        "title",
        "meta",
        "link",
        "input",
        "footer",
        "header",
        "map",
        "dialog",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "figure",
        "figcaption",
        "address",
        "hr",
        "center",
        "details",
        "summary",
        "fieldset",
        "br",
        "body",
        "html",
        "hgroup",
        "legend",
        "picture",
    }
)
_JUNK_CLASS = re.compile(
    r"^(share|sharing|sharedaddy|share-.*|.*-share|.*-share-.*|.*sharing.*|social-.*|.*-social|"
    r"addtoany|a2a_.*|related|related-.*|.*-related|.*-related-.*|jp-relatedposts.*|yarpp-.*|"
    r"author-box|author-bio|about-author|author-info|post-author-box|comments?|comment-.*|"
    r".*-comments|respond|kk-star-ratings|kksr-.*|yasr.*|review-wrapper|wp-review-.*|wppr-.*|"
    r"review-wu-.*|gdrts-.*|glsr.*|hreview|h-review|star-ratings|post-ratings|adsbygoogle|"
    r"adsense|advert.*|ad-container|post-footer|entry-footer|post-labels|tags-links|cat-links|"
    r"post-navigation|nav-links|blog-pager|mc4wp.*|screen-reader-text|sr-only|entry-meta|"
    r"post-meta|byline|post-byline|posted-on|newsletter-.*|subscribe-.*|wp-block-buttons|"
    r"post-tags|tags|tag-links|breadcrumbs?)$",
    re.IGNORECASE,
)
_JUNK_ID = re.compile(
    r"^(comments?|respond|review|related.*|share.*|jp-post-flair)$", re.IGNORECASE
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# The review footer of the seed Blogger post: "Reviewed by NAME on TIME Rating: …".
_REVIEW_FOOTER = re.compile(
    r"^reviewed by\b.{0,120}\brating\s*:?.{0,40}$", re.IGNORECASE | re.DOTALL
)
_SUMMARY_SCRIPT = "createSummaryAndThumb"
DEDUPE_MIN = 40
# A named container is the post only when it holds this share of the extractor's words; a
# smaller one (a teaser, a subtitle, the title alone) is a part of the post, not its body.
CONTAINER_SHARE = 0.3
PRE_TAGS = frozenset({"pre"})
CELL_TAGS = frozenset({"td", "th", "cell"})
_END = object()  # marks the end of a block element on the render stack


def is_junk(node: Element) -> bool:
    """Elements that are never part of a post's text."""
    if node.tag in SKIP_TAGS:
        return True
    if any(_JUNK_CLASS.match(c) for c in classes(node)) or _JUNK_ID.match(attr(node, "id")):
        return True
    if attr(node, "g:type") == "RatingPanel" or _HIDDEN.search(attr(node, "style")):
        return True
    return _is_review_block(node)


def _is_review_block(node: Element) -> bool:
    itemtype = attr(node, "itemtype").lower()
    if "review" in attr(node, "itemprop").lower().split() or itemtype.endswith("/review"):
        return len("".join(node.itertext())) < 600
    first = next((t.strip() for t in node.itertext() if t.strip()), "")
    if not first.lower().startswith("reviewed by"):
        return False
    text = " ".join(node.itertext())
    return len(text) < 200 and bool(_REVIEW_FOOTER.match(clean_text(text)))


class _Renderer:
    """HTML → paragraphs; :class:`_ExtractedRenderer` reads trafilatura's output tree."""

    block_tags: frozenset[str] = BLOCK_TAGS

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.line: list[str] = []

    def skip(self, node: Element, is_root: bool) -> bool:
        return not is_root and is_junk(node)

    def is_pre(self, node: Element) -> bool:
        return node.tag in PRE_TAGS

    def flush(self) -> None:
        text = clean_text("".join(self.line))
        self.line = []
        if text:
            self.paragraphs.append(text)

    def pre(self, node: Element) -> None:
        self.flush()
        raw = "".join(node.itertext()).replace("\r\n", "\n")
        lines = [ln.rstrip() for ln in raw.split("\n")]
        text = re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip("\n")
        if text.strip():
            self.paragraphs.append(text)

    def render(self, root: Element) -> None:
        # Explicit stack: real pages nest deeper than Python's recursion limit.
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if node is _END:
                self.flush()
            elif isinstance(node, str):
                self.line.append(node)
            else:
                self._open(cast(Element, node), stack, node is root)

    def _open(self, node: Element, stack: list[object], is_root: bool) -> None:
        if not isinstance(node.tag, str) or self.skip(node, is_root):
            return
        if self.is_pre(node):
            self.pre(node)
            return
        if node.tag in CELL_TAGS:
            self.line.append(" ")
        if node.tag in self.block_tags:
            self.flush()
            stack.append(_END)
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
        if node.text:
            stack.append(node.text)


class _ExtractedRenderer(_Renderer):
    """trafilatura's XML: ``head``/``p``/``list``/``item``/``quote``/``row`` are blocks; a
    ``code`` block (multi-line, or directly under the root) keeps its newlines."""

    block_tags = frozenset({"p", "head", "list", "item", "quote", "table", "row", "lb", "div"})

    def skip(self, node: Element, is_root: bool) -> bool:
        return bool(node.tag == "graphic")

    def is_pre(self, node: Element) -> bool:
        if node.tag != "code":
            return False
        parent = node.getparent()
        return "\n" in "".join(node.itertext()) or parent is None or parent.tag == "body"


def dedupe_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop repeats of long paragraphs (templates that print a post twice), keep the first."""
    seen: set[str] = set()
    out: list[str] = []
    for para in paragraphs:
        if len(para) >= DEDUPE_MIN:
            if para in seen:
                continue
            seen.add(para)
        out.append(para)
    return out


def render_body(container: Element | None) -> str:
    """Plain text: paragraphs separated by one blank line, inner whitespace collapsed."""
    return _render(container, _Renderer())


def render_extracted(body: Element | None) -> str:
    """The same plain text for the body tree trafilatura extracted."""
    return _render(body, _ExtractedRenderer())


def _render(container: Element | None, renderer: _Renderer) -> str:
    if container is None:
        return ""
    renderer.render(container)
    renderer.flush()
    paragraphs = [p for p in renderer.paragraphs if _SUMMARY_SCRIPT not in p]
    return "\n\n".join(drop_link_paragraphs(dedupe_paragraphs(paragraphs)))


def covers(text: str, part: str, share: float = 0.0) -> bool:
    """Every paragraph of ``part`` occurs in ``text`` (whitespace-insensitive), and ``part``
    holds at least ``share`` of the words of ``text``."""
    if len(part.split()) < share * len(text.split()):
        return False
    haystack = clean_text(text)
    return all(clean_text(p) in haystack for p in part.split("\n\n"))
