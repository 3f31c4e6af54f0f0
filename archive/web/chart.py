"""A small stacked bar chart as inline SVG: posts per month, one colour per site.

Generated on the server, so the stats page needs no script; every bar has a
``<title>`` (its tooltip and accessible name) and the page shows the same numbers in
a table. Colours come from SVG attributes, which the UI's CSP allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 720, 240
_LEFT, _BOTTOM, _TOP = 40, 40, 10
MAX_MONTHS = 48


def month_range(months: list[str]) -> list[str]:
    """Every ``YYYY-MM`` from the first to the last of ``months`` (the last 48 at most)."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while True:
        label = f"{year:04d}-{month:02d}"
        out.append(label)
        if label >= last:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out[-MAX_MONTHS:]


def colours(sites: list[str]) -> dict[str, str]:
    return {site: PALETTE[n % len(PALETTE)] for n, site in enumerate(sites)}


def posts_chart(counts: Mapping[str, Mapping[str, int]], months: list[str]) -> str:
    """SVG markup for ``counts[site][month]``, one stacked bar per month of ``months``."""
    sites = sorted(counts)
    palette = colours(sites)
    totals = [sum(counts[s].get(m, 0) for s in sites) for m in months]
    peak = max(totals, default=0) or 1
    slot = (WIDTH - _LEFT) / max(len(months), 1)
    scale = (HEIGHT - _BOTTOM - _TOP) / peak
    parts = [_axis(peak)]
    for n, month in enumerate(months):
        x = _LEFT + n * slot + slot * 0.15
        y = float(HEIGHT - _BOTTOM)
        for site in sites:
            count = counts[site].get(month, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            parts.append(_bar(x, y, slot * 0.7, height, palette[site], f"{site}, {month}: {count}"))
        if n % _label_every(len(months)) == 0:
            parts.append(_label(x + slot * 0.35, month))
    return _svg("".join(parts), len(months))


def _label_every(count: int) -> int:
    return max(1, -(-count // 12))


def _axis(peak: int) -> str:
    bottom = HEIGHT - _BOTTOM
    return (
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{bottom}" stroke="#666"/>'
        f'<line x1="{_LEFT}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="#666"/>'
        f'<text x="{_LEFT - 6}" y="{_TOP + 10}" text-anchor="end" font-size="12">{peak}</text>'
        f'<text x="{_LEFT - 6}" y="{bottom}" text-anchor="end" font-size="12">0</text>'
    )


def _bar(x: float, y: float, width: float, height: float, fill: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{fill}"><title>{escape(title)}</title></rect>'
    )


def _label(x: float, month: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 16}" text-anchor="middle" '
        f'font-size="11">{escape(month)}</text>'
    )


def _svg(body: str, months: int) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">Posts published per month and site, {months} months</title>'
        f"{body}</svg>"
    )
