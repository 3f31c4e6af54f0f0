"""Render a body container as plain text paragraphs, skipping boilerplate and widgets."""

from __future__ import annotations

import re

from bs4 import Tag
from bs4.element import NavigableString, PreformattedString

from .dom import attr, classes, clean_text

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
_END = object()  # marks the end of a block element on the render stack


def is_junk(node: Tag) -> bool:
    """Elements that are never part of a post's text."""
    if node.name in SKIP_TAGS:
        return True
    if any(_JUNK_CLASS.match(c) for c in classes(node)) or _JUNK_ID.match(attr(node, "id")):
        return True
    if attr(node, "g:type") == "RatingPanel" or _HIDDEN.search(attr(node, "style")):
        return True
    return _is_review_block(node)


def _is_review_block(node: Tag) -> bool:
    itemtype = attr(node, "itemtype").lower()
    if "review" in attr(node, "itemprop").lower().split() or itemtype.endswith("/review"):
        return len(node.get_text()) < 600
    first = next(node.stripped_strings, "")
    if not first.lower().startswith("reviewed by"):
        return False
    text = node.get_text(" ", strip=True)
    return len(text) < 200 and bool(_REVIEW_FOOTER.match(clean_text(text)))


class _Renderer:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.line: list[str] = []

    def flush(self) -> None:
        text = clean_text("".join(self.line))
        self.line = []
        if text:
            self.paragraphs.append(text)

    def pre(self, node: Tag) -> None:
        self.flush()
        lines = [ln.rstrip() for ln in node.get_text().replace("\r\n", "\n").split("\n")]
        text = re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip("\n")
        if text.strip():
            self.paragraphs.append(text)

    def render(self, root: Tag) -> None:
        # Explicit stack: real pages nest deeper than Python's recursion limit.
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if node is _END:
                self.flush()
            elif isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):
                    self.line.append(str(node))
            elif isinstance(node, Tag):
                self._open(node, stack, node is root)

    def _open(self, node: Tag, stack: list[object], is_root: bool) -> None:
        if not is_root and is_junk(node):
            return
        if node.name == "pre":
            self.pre(node)
            return
        if node.name in {"td", "th"}:
            self.line.append(" ")
        block = node.name in BLOCK_TAGS
        if block:
            self.flush()
            stack.append(_END)
        stack.extend(reversed(list(node.children)))


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


def render_body(container: Tag | None) -> str:
    """Plain text: paragraphs separated by one blank line, inner whitespace collapsed."""
    if container is None:
        return ""
    renderer = _Renderer()
    renderer.render(container)
    renderer.flush()
    paragraphs = [p for p in renderer.paragraphs if _SUMMARY_SCRIPT not in p]
    return "\n\n".join(dedupe_paragraphs(paragraphs))
