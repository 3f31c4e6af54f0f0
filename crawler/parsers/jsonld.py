"""JSON-LD: parse every ``application/ld+json`` block, flatten ``@graph``, resolve ``@id``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .dom import Element, attr, classes

Node = dict[str, Any]

ARTICLE_TYPES = frozenset(
    {
        "article",
        "blogposting",
        "newsarticle",
        "techarticle",
        "socialmediaposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "scholarlyarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "posting",
        "report",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage"})
_COMMENTS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_SCHEMA_PREFIX = re.compile(r"^https?://(?:www\.)?(?:schema|data-vocabulary)\.org/", re.IGNORECASE)


def _loads(text: str) -> Any:
    text = _COMMENTS.sub("", text.strip()).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def types_of(node: Any) -> set[str]:
    """The node's ``@type`` values, lower-cased, without a schema.org URL prefix."""
    if not isinstance(node, dict):
        return set()
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {_SCHEMA_PREFIX.sub("", v).strip().lower() for v in values if isinstance(v, str)}


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class JsonLd:
    """All JSON-LD nodes of a page, with an ``@id`` index for reference resolution."""

    def __init__(self, blocks: list[tuple[Any, frozenset[str]]]) -> None:
        self.top: list[Node] = []
        self.script_classes: dict[int, frozenset[str]] = {}
        for data, script_classes in blocks:
            for node in self._flatten(data):
                self.top.append(node)
                self.script_classes[id(node)] = script_classes
        self.by_id: dict[str, Node] = {}
        for node in self.walk():
            key = node.get("@id")
            # Keep the richest node per id: references are bare {"@id"} dicts.
            if isinstance(key, str) and len(node) > len(self.by_id.get(key, {})):
                self.by_id[key] = node

    @classmethod
    def from_soup(cls, root: Element) -> JsonLd:
        blocks: list[tuple[Any, frozenset[str]]] = []
        for script in root.iter("script"):
            if "ld+json" in attr(script, "type").lower():
                data = _loads(script.text or "")
                if data is not None:
                    blocks.append((data, frozenset(classes(script))))
        return cls(blocks)

    @staticmethod
    def _flatten(data: Any) -> Iterator[Node]:
        for item in as_list(data):
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if graph is not None:
                yield from (n for n in as_list(graph) if isinstance(n, dict))
                if types_of(item):
                    yield item
            else:
                yield item

    def walk(self) -> Iterator[Node]:
        """Every dict node, nested ones included (depth-first, document order)."""
        stack: list[Any] = list(reversed(self.top))
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                yield value
                stack.extend(reversed([v for v in value.values() if isinstance(v, dict | list)]))
            elif isinstance(value, list):
                stack.extend(reversed(value))

    def resolve(self, value: Any) -> Any:
        """Replace a ``{"@id": …}`` reference by the node it names (one level)."""
        if isinstance(value, dict) and "@id" in value and len(value) <= 2:
            return self.by_id.get(str(value["@id"]), value)
        return value

    def of_types(self, wanted: frozenset[str]) -> list[Node]:
        return [n for n in self.top if types_of(n) & wanted]

    def articles(self) -> list[Node]:
        return self.of_types(ARTICLE_TYPES)

    def main_entity(self) -> Node | None:
        """The page's main article node; a WebPage with an author as a fallback (Yoast)."""
        articles = self.articles()
        if articles:
            return articles[0]
        for page in self.of_types(PAGE_TYPES):
            main = self.resolve(page.get("mainEntity"))
            if types_of(main) & ARTICLE_TYPES:
                return dict(main)
            if page.get("author"):
                return page
        return None

    def get(self, node: Node | None, key: str) -> Any:
        return None if node is None else self.resolve(node.get(key))
