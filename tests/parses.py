"""Counts the HTML parses that crawler code makes, without changing what they return.

Used in the test process (with ``monkeypatch.setattr``) and inside a crawl's subprocess.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import lxml.html

import crawler.parsers  # noqa: F401  (every parser module loaded: each binding gets wrapped)
from crawler.parsers import dom

Patch = Callable[[object, str, Any], None]
# lxml's own entry points, for a parse that bypasses make_soup (as html_links once did).
LXML_PARSERS = ("fromstring", "document_fromstring", "fragment_fromstring", "fragments_fromstring")


def count_parses(patch: Patch = setattr) -> list[str]:
    """Wrap ``make_soup`` (every crawler module's binding of it) and lxml.html's parse
    functions; each parse that crawler code asks for appends the function's name."""
    calls: list[str] = []
    real = dom.make_soup

    def make_soup(text: str | bytes) -> lxml.html.HtmlElement:
        calls.append("make_soup")
        return real(text)

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("crawler.") and getattr(module, "make_soup", None) is real:
            patch(module, "make_soup", make_soup)
    for name in LXML_PARSERS:
        patch(lxml.html, name, _counted(getattr(lxml.html, name), name, calls))
    return calls


def _counted(real: Callable[..., Any], name: str, calls: list[str]) -> Callable[..., Any]:
    def parse(*args: Any, **kwargs: Any) -> Any:
        # Crawler code's calls only: lxml.html.fromstring calls document_fromstring itself,
        # and trafilatura parses inside make_soup.
        if sys._getframe(1).f_globals.get("__name__", "").startswith("crawler."):
            calls.append(name)
        return real(*args, **kwargs)

    return parse
