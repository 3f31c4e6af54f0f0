"""Microdata (``itemscope``/``itemprop``) items built on the lxml tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .dom import Element, attr, clean_text, text_of

_SCOPES = etree.XPath("descendant-or-self::*[@itemscope]")
_URL_ATTRS = {
    "a": "href",
    "link": "href",
    "area": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "embed": "src",
    "iframe": "src",
    "object": "data",
}


@dataclass(eq=False)
class Item:
    """One ``itemscope``: its types, properties (strings or nested items) and element."""

    element: Element
    types: set[str]
    props: dict[str, list[str | Item]] = field(default_factory=dict)

    @property
    def itemprops(self) -> set[str]:
        """The names under which this item is a property of its parent scope."""
        return {p.lower() for p in attr(self.element, "itemprop").split()}

    def values(self, name: str) -> list[str | Item]:
        return self.props.get(name.lower(), [])

    def text(self, name: str) -> str:
        """The first string value of a property ("" when absent or an item)."""
        return next((v for v in self.values(name) if isinstance(v, str) and v), "")

    def item(self, name: str) -> Item | None:
        return next((v for v in self.values(name) if isinstance(v, Item)), None)

    def is_a(self, *names: str) -> bool:
        return bool(self.types & {n.lower() for n in names})


def _types(element: Element) -> set[str]:
    return {t.rstrip("/").rsplit("/", 1)[-1].lower() for t in attr(element, "itemtype").split()}


def property_value(element: Element) -> str:
    """Per the microdata spec, but ``@content`` wins wherever it is present."""
    if element.get("content") is not None:
        return clean_text(attr(element, "content"))
    name = element.tag if isinstance(element.tag, str) else ""
    if name in _URL_ATTRS:
        return attr(element, _URL_ATTRS[name])
    if name == "time" and element.get("datetime") is not None:
        return attr(element, "datetime")
    if name in {"data", "meter"} and element.get("value") is not None:
        return attr(element, "value")
    if name == "abbr" and element.get("title") is not None:
        return attr(element, "title")
    return text_of(element)


def _collect(item: Item, scope: Element, built: dict[Element, Item]) -> None:
    stack = list(reversed([c for c in scope if isinstance(c.tag, str)]))
    while stack:
        element = stack.pop()
        names = attr(element, "itemprop").lower().split()
        scoped = element.get("itemscope") is not None
        if names:
            value: str | Item = _build(element, built) if scoped else property_value(element)
            for name in names:
                item.props.setdefault(name, []).append(value)
        if not scoped:
            stack.extend(reversed([c for c in element if isinstance(c.tag, str)]))


def _build(element: Element, built: dict[Element, Item]) -> Item:
    if element not in built:
        item = Item(element, _types(element))
        built[element] = item
        _collect(item, element, built)
    return built[element]


def parse_items(root: Element) -> list[Item]:
    """Every item of the page (nested ones too), in document order."""
    built: dict[Element, Item] = {}
    return [_build(el, built) for el in _SCOPES(root)]
