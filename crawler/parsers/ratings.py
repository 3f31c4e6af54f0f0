"""Ratings from structured data: JSON-LD, microdata and hReview; review beats aggregate."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from archive.records import Rating

from .dom import Element as Tag
from .dom import attr, select, select_one, text_of
from .jsonld import JsonLd, Node, as_list, types_of
from .microdata import Item
from .numbers import make_rating

# Site Reviews' JSON-LD lists visitor reviews of a business: never the post's own score.
_VISITOR_SCRIPTS = frozenset({"site-reviews-schema"})
_FULL_STAR = re.compile(r"^fa-star$")


def choose(candidates: Iterable[Rating | None]) -> Rating | None:
    """The first review rating, else the first aggregate one (candidates in precedence order)."""
    found = [c for c in candidates if c is not None]
    return next((c for c in found if c.kind == "review"), found[0] if found else None)


def _jsonld_rating(node: Any, kind: str) -> Rating | None:
    if not isinstance(node, dict):
        return make_rating(node, kind=kind, source="jsonld")
    return make_rating(
        node.get("ratingValue"),
        best=node.get("bestRating"),
        worst=node.get("worstRating"),
        count=node.get("ratingCount", node.get("reviewCount")),
        kind=kind,
        source="jsonld",
    )


def _node_reviews(data: JsonLd, node: Node) -> list[Any]:
    if "review" in types_of(node):
        return [node]
    if data.script_classes.get(id(node), frozenset()) & _VISITOR_SCRIPTS:
        return []
    # WP Product Review: with user reviews on, element 0 is the editor's own review.
    return as_list(data.resolve(node.get("review")))[:1]


def jsonld_ratings(data: JsonLd) -> list[Rating | None]:
    out: list[Rating | None] = []
    for node in data.top:
        for review in _node_reviews(data, node):
            review = data.resolve(review)
            if isinstance(review, dict):
                out.append(_jsonld_rating(data.resolve(review.get("reviewRating")), "review"))
    for node in data.walk():
        if "aggregaterating" in types_of(node):
            out.append(_jsonld_rating(node, "aggregate"))
        elif "aggregateRating" in node:
            # An untyped or referenced aggregate: typed ones are reached by the walk itself.
            target = data.resolve(node["aggregateRating"])
            if "aggregaterating" not in types_of(target) or target is not node["aggregateRating"]:
                out.append(_jsonld_rating(target, "aggregate"))
    return out


def _item_kind(item: Item) -> str | None:
    if item.is_a("aggregaterating") or "aggregaterating" in item.itemprops:
        return "aggregate"
    if item.is_a("rating") or item.itemprops & {"reviewrating", "rating"}:
        return "review"
    return None


def _item_rating(item: Item, kind: str) -> Rating | None:
    value = item.text("ratingValue") or item.text("rating") or _loose_value(item.element)
    return make_rating(
        value,
        best=item.text("bestRating") or item.text("best") or None,
        worst=item.text("worstRating") or item.text("worst") or None,
        count=item.text("ratingCount") or item.text("reviewCount") or item.text("votes") or None,
        kind=kind,
        source="microdata",
    )


def _loose_value(element: Tag) -> str:
    """A Rating scope with no ratingValue: its text, else a ``title`` holding the number."""
    text = text_of(element)
    if text:
        return text
    titled = select_one(element, "[title]")
    return attr(titled, "title") if titled is not None else ""


def microdata_ratings(items: list[Item]) -> list[Rating | None]:
    out: list[Rating | None] = []
    for item in items:
        kind = _item_kind(item)
        if kind is not None:
            out.append(_item_rating(item, kind))
        elif item.is_a("review") and (item.text("ratingValue") or item.text("rating")):
            out.append(_item_rating(item, "review"))
    return out


def _hreview_value(box: Tag) -> tuple[str, str]:
    """(value, best) of an hReview ``.rating``: ``@title`` of abbr, ``.value``, text, icons."""
    rating = select_one(box, ".rating")
    if rating is None:
        return "", ""
    best = text_of(select_one(rating, ".best")) or text_of(select_one(box, ".best"))
    if attr(rating, "title"):
        return attr(rating, "title"), best
    value = select_one(rating, ".value")
    text = text_of(value) if value is not None else text_of(rating)
    return text, best


def _icon_rating(box: Tag) -> Rating | None:
    """Spiegel-style stars: ``fas fa-star`` icons are full, ``far fa-star`` ones empty."""
    icons = [i for i in select(box, ".rating i, .rating span") if "fa-star" in attr(i, "class")]
    if not icons:
        return None
    full = sum(1 for i in icons if "fas" in attr(i, "class").split())
    return make_rating(full, best=len(icons), worst=0, kind="review", source="icon-count")


def hreview_ratings(soup: Tag, markup: str | None = None) -> list[Rating | None]:
    """hReview boxes; ``markup`` (the page's class values) skips pages that name none."""
    if markup is not None and "review" not in markup:
        return []
    out: list[Rating | None] = []
    for box in select(soup, ".hreview, .h-review"):
        value, best = _hreview_value(box)
        rating = make_rating(value, best=best or None, kind="review", source="hreview")
        out.append(rating if rating is not None else _icon_rating(box))
    return out
