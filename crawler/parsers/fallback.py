"""Generic body extraction for layouts without a trusted platform container: trafilatura.

It runs on the page's own tree (trafilatura copies it, so ours stays intact), in fast mode
first; a short result (a teaser, or a page the fast heuristics got wrong) is retried with
trafilatura's full cascade (readability/jusText comparison), which costs twice as much.
"""

from __future__ import annotations

import logging
import unicodedata
from copy import deepcopy

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Document

from .dom import Element
from .text import render_extracted

# On realworld-dev, 171 of the 197 pages under 300 words came back identical from the full
# cascade, and nearly all that changed were under 150: retrying 150-300 bought 3 of 1,686
# snippets for 10% of the extraction time.
RETRY_BELOW_WORDS = 150
# The full cascade's result wins unless it lost most of the fast one's words (a teaser).
KEEP_FULL_SHARE = 0.5
DUMP_WORDS = 150
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
# Syntax highlighters wrap every token of a code block in a classed <span>. trafilatura tests
# each element's class and id with Python regexes (EXSLT callbacks), so on a code-heavy post
# those spans cost most of its time; and a token class that looks like boilerplate ("meta",
# "hidden") loses that token. Flattened, the code keeps its text and tails, nothing else.
_CODE_BLOCKS = etree.XPath(
    ".//pre[not(ancestor::pre or ancestor::code)] | .//code[not(ancestor::pre or ancestor::code)]"
)
_CODE_SPANS = etree.XPath("boolean(.//pre//span | .//code//span)")


def _has_class(*names: str) -> str:
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names
    )


# The line-number column of a table-style highlighter (Hexo's "gutter", Rouge's
# "rouge-gutter", Pygments' "linenos") beside its code cell: numbers, not post text.
_GUTTERS = etree.XPath(
    f".//td[{_has_class('gutter', 'rouge-gutter', 'linenos')}]"
    f"[following-sibling::td[{_has_class('code', 'rouge-code')}]]"
)


def _flat_code(tree: Element) -> Element:
    """``tree``, or a copy whose code blocks hold only text and line breaks, without the
    line-number column."""
    if not _CODE_SPANS(tree) and not _GUTTERS(tree):
        return tree
    copied: Element = deepcopy(tree)
    for gutter in _GUTTERS(copied):
        gutter.drop_tree()
    for block in _CODE_BLOCKS(copied):
        etree.strip_tags(block, "span")
    return copied


def _extract(tree: Element, url: str | None, *, fast: bool) -> str:
    doc = bare_extraction(
        tree, url=url or None, fast=fast, with_metadata=False, include_comments=False
    )
    if not isinstance(doc, Document) or doc.body is None:
        return ""
    return unicodedata.normalize("NFC", render_extracted(doc.body))


def _is_dump(text: str) -> bool:
    """One long run of text without paragraphs: trafilatura's last resort, the whole
    page's text (menus and footers included), not an article."""
    return "\n\n" not in text and len(text.split()) >= DUMP_WORDS


def extracted_body(tree: Element, url: str | None = None) -> str:
    """The main text of a page as plain paragraphs ("" when nothing looks like content)."""
    tree = _flat_code(tree)
    text = _extract(tree, url, fast=True)
    if len(text.split()) >= RETRY_BELOW_WORDS and not _is_dump(text):
        return text
    full = _extract(tree, url, fast=False)
    if _is_dump(text) and not _is_dump(full):
        return full
    return full if len(full.split()) >= KEEP_FULL_SHARE * len(text.split()) else text
