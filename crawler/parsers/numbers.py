"""Numeric parsing of rating values ("4,5", "9/10", "60%", "4.5 out of 5") and validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archive.records import Rating

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_FRACTION = re.compile(rf"^{_NUMBER}\s*(?:/|out of|of|из|sur|von|de)\s*{_NUMBER}\b", re.IGNORECASE)
_PERCENT = re.compile(rf"^{_NUMBER}\s*%$")
_LEADING = re.compile(rf"^{_NUMBER}(?:\s*(?:stars?|points?|pts)\b.*)?$", re.IGNORECASE)
_COMMA_DECIMAL = re.compile(r"^\d+,\d+$")


@dataclass(frozen=True)
class Parsed:
    """A rating value with the bounds the text itself states (None when unstated)."""

    value: float
    best: float | None = None
    worst: float | None = None


def to_float(text: Any) -> float | None:
    """A number from a JSON value or a string ("8.50", " 12", "4,5"); None otherwise."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    if not isinstance(text, str):
        return None
    text = text.strip()
    if _COMMA_DECIMAL.match(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def parse_rating_text(text: Any) -> Parsed | None:
    """Parse a number, a fraction, a percentage or "N stars"; None when there is no value."""
    number = to_float(text)
    if number is not None:
        return Parsed(number)
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    if match := _FRACTION.match(text):
        value, best = to_float(match.group(1)), to_float(match.group(2))
        return Parsed(value, best) if value is not None and best is not None else None
    if match := _PERCENT.match(text):
        value = to_float(match.group(1))
        return Parsed(value, 100.0, 0.0) if value is not None else None
    if match := _LEADING.match(text):
        value = to_float(match.group(1))
        return Parsed(value) if value is not None else None
    return None


def to_count(text: Any) -> int | None:
    number = to_float(text.replace(",", "") if isinstance(text, str) else text)
    return int(number) if number is not None and number >= 0 else None


def make_rating(
    value: Any,
    *,
    best: Any = None,
    worst: Any = None,
    count: Any = None,
    kind: str,
    source: str,
    default_best: float = 5.0,
    default_worst: float = 1.0,
) -> Rating | None:
    """A validated :class:`Rating`; None when the value is missing or outside its scale."""
    parsed = parse_rating_text(value)
    if parsed is None:
        return None
    top = to_float(best)
    bottom = to_float(worst)
    top = top if top is not None else (parsed.best if parsed.best is not None else default_best)
    if bottom is None:
        bottom = parsed.worst if parsed.worst is not None else default_worst
    # A fraction or percentage names its own scale; a zero-based text scale has worst 0.
    if parsed.best is not None and to_float(worst) is None and parsed.worst is None:
        bottom = min(bottom, 0.0) if parsed.value < bottom else bottom
    if top <= bottom or not bottom <= parsed.value <= top:
        return None
    return Rating(
        value=parsed.value, best=top, worst=bottom, count=to_count(count), kind=kind, source=source
    )
