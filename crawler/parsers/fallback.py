"""Generic body extraction for layouts without a trusted platform container: trafilatura.

It runs on the page's own tree (trafilatura copies it, so ours stays intact), in fast mode
first; a short result (a teaser, or a page the fast heuristics got wrong) is retried with
trafilatura's full cascade (readability/jusText comparison), which costs twice as much.
"""

from __future__ import annotations

import logging
import unicodedata

from trafilatura import bare_extraction
from trafilatura.settings import Document

from . import stoplist
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
stoplist.install()


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
    text = _extract(tree, url, fast=True)
    if len(text.split()) >= RETRY_BELOW_WORDS and not _is_dump(text):
        return text
    full = _extract(tree, url, fast=False)
    if _is_dump(text) and not _is_dump(full):
        return full
    return full if len(full.split()) >= KEEP_FULL_SHARE * len(text.split()) else text
