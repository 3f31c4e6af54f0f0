"""Ratings drawn by WordPress rating plugins (visual widgets, legends, data attributes).

Scales start at 0 here (markup.md §1.3): these widgets draw empty stars for a zero score.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from archive.records import Rating

from .dom import Element as Tag
from .dom import attr, classes, select, select_one, text_of
from .numbers import make_rating, to_float

_WIDTH = re.compile(r"width\s*:\s*(\d+(?:\.\d+)?)\s*%")
_YASR_TOTAL = re.compile(r"Total:\s*(\d+)")
_GD_TEXT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*/\s*(\d+)(?:.*?(\d+)\s*\w*\s*votes?)?", re.IGNORECASE | re.DOTALL
)
_WPPR_CLASS = re.compile(r"^wppr-p(\d{1,3})$")


def _width(node: Tag | None) -> float | None:
    match = _WIDTH.search(attr(node, "style"))
    return float(match.group(1)) if match else None


def _rating(
    value: object, best: object = None, count: object = None, *, kind: str, source: str
) -> Rating | None:
    return make_rating(
        value, best=best, worst=0, count=count, kind=kind, source=source, default_worst=0.0
    )


def yasr(root: Tag) -> list[Rating | None]:
    out: list[Rating | None] = []
    for node in select(root, ".yasr-rater-stars[data-rating]"):
        out.append(_rating(attr(node, "data-rating"), kind="review", source="yasr"))
    for node in select(root, ".yasr-rater-stars-vv[data-rating]"):
        legend = select_one(root, ".yasr-vv-text-container")
        match = _YASR_TOTAL.search(text_of(legend)) if legend is not None else None
        count = match.group(1) if match else None
        out.append(_rating(attr(node, "data-rating"), count=count, kind="aggregate", source="yasr"))
    return out


def kk_star_ratings(root: Tag) -> list[Rating | None]:
    out: list[Rating | None] = []
    for box in select(root, ".kk-star-ratings"):
        score = select_one(box, ".kksr-score")
        if score is None:  # no votes yet: the legend is only a greeting
            continue
        strongs = [s for s in select(box, ".kksr-legend strong") if "kksr-" not in attr(s, "class")]
        best = text_of(strongs[0]) if strongs else None
        count_node = select_one(box, ".kksr-count")
        out.append(
            _rating(
                text_of(score),
                best,
                text_of(count_node) or None,
                kind="aggregate",
                source="kk-star-ratings",
            )
        )
    return out


def wp_review(root: Tag) -> list[Rating | None]:
    """WP Review (MyThemeShop): total box text, else the result bar width by type."""
    out: list[Rating | None] = []
    for box in select(root, ".review-wrapper, #review"):
        total = text_of(select_one(box, ".review-total-box"))
        rating = _rating(total, kind="review", source="wp-review") if total else None
        if rating is None:
            rating = _wp_review_width(box)
        out.append(rating)
    return out


def _wp_review_width(box: Tag) -> Rating | None:
    pct = _width(select_one(box, ".review-result"))
    if pct is None:
        return None
    if select_one(box, ".review-point") is not None:
        return _rating(round(pct / 10, 2), 10, kind="review", source="widget-width")
    if select_one(box, ".review-percentage") is not None:
        return _rating(pct, 100, kind="review", source="widget-width")
    return _rating(round(pct / 20, 2), 5, kind="review", source="widget-width")


def site_reviews(root: Tag) -> list[Rating | None]:
    return [
        _rating(
            attr(n, "data-rating"),
            count=attr(n, "data-reviews") or None,
            kind="aggregate",
            source="site-reviews",
        )
        for n in select(root, ".glsr-star-rating[data-rating], .glsr-stars[data-rating]")
    ]


def gd_rating_system(root: Tag) -> list[Rating | None]:
    out: list[Rating | None] = []
    for text_node in select(root, ".gdrts-rating-text"):
        match = _GD_TEXT.search(text_of(text_node))
        if match:
            out.append(
                _rating(
                    match.group(1),
                    match.group(2),
                    match.group(3),
                    kind="aggregate",
                    source="gd-rating-system",
                )
            )
    for stars in select(root, ".gdrts-stars-current"):
        pct = _width(stars)  # the "-active" layer is the hover state: never read it
        if pct is not None:
            out.append(_rating(round(pct / 20, 2), 5, kind="aggregate", source="widget-width"))
    return out


def wppr(root: Tag) -> list[Rating | None]:
    out: list[Rating | None] = []
    for node in select(root, "[class*=wppr-p]"):
        for cls in classes(node):
            match = _WPPR_CLASS.match(str(cls))
            if match and to_float(match.group(1)) is not None:
                out.append(_rating(match.group(1), 100, kind="review", source="wppr"))
    return out


# Each probe with the lower-case class or id values its widget's markup must hold (one is
# enough).
WIDGETS: tuple[tuple[Callable[[Tag], list[Rating | None]], tuple[str, ...]], ...] = (
    (wp_review, ("review-wrapper", "review")),
    (wppr, ("wppr-p",)),
    (yasr, ("yasr-rater-stars",)),
    (kk_star_ratings, ("kk-star-ratings",)),
    (gd_rating_system, ("gdrts-",)),
    (site_reviews, ("glsr-star",)),
)


def widget_ratings(root: Tag, markup: str | None = None) -> list[Rating | None]:
    """Every widget's ratings; with ``markup`` (the page's class and id values, see
    :func:`~crawler.parsers.dom.attribute_text`) a widget whose class names are absent from
    the page is not searched for."""
    return [
        rating
        for widget, needles in WIDGETS
        if markup is None or any(n in markup for n in needles)
        for rating in widget(root)
    ]
