"""Microdata (``itemscope``/``itemprop``) items built on the lxml tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .dom import Element, attr, clean_text, text_of

_SCOPES = etree.XPath("descendant-or-self::*[@itemscope]")
_PROPS = etree.XPath("descendant-or-self::*[@itemprop]")
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


def _owner(element: Element) -> Element | None:
    """The nearest ``itemscope`` above ``element``: the item it is a property of."""
    return next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)


def parse_items(root: Element) -> list[Item]:
    """Every item of the page (nested ones too), in document order."""
    # Two XPath scans in C, not a walk of every element in Python: a post's itemscope often
    # spans the whole body, syntax-highlighted code and all.
    built = {el: Item(el, _types(el)) for el in _SCOPES(root)}
    for element in _PROPS(root):
        owner = built.get(_owner(element))
        if owner is None:
            continue
        nested = built.get(element)
        value: str | Item = nested if nested is not None else property_value(element)
        for name in attr(element, "itemprop").lower().split():
            owner.props.setdefault(name, []).append(value)
    return list(built.values())
