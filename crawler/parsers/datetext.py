"""Absolute calendar dates written in text ("March 3, 2021", "3. März 2021", "2021年3月3日")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Month names (full, genitive, abbreviated) in en, de, fr, es, it, pt, nl, pl and ru (sv and
# da share them); no word names two different months across these languages.
_MONTHS: dict[int, str] = {
    1: "january jan januar jänner janvier janv enero ene gennaio gen janeiro januari "
    "styczeń stycznia sty январь января янв",
    2: "february feb febr februar feber février fevrier févr fév fev febrero febbraio "
    "fevereiro februari luty lutego lut февраль февраля фев",
    3: "march mar märz maerz mär mrz mars marzo março marco maart mrt marzec marca март марта",
    4: "april apr avril avr abril abr aprile kwiecień kwietnia kwi апрель апреля апр",
    5: "may mai mayo maggio mag maio mei maj maja май мая",
    6: "june jun juni juin junio giugno giu junho czerwiec czerwca cze июнь июня июн",
    7: "july jul juli juillet juil julio luglio lug julho lipiec lipca lip июль июля июл",
    8: "august aug août aout agosto ago augustus augusti sierpień sierpnia sie август августа авг",
    9: "september sep sept septembre septiembre setiembre settembre set setembro wrzesień "
    "września wrz сентябрь сентября сен сент",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out październik "
    "października paź октябрь октября окт",
    11: "november nov novembre noviembre novembro listopad listopada lis ноябрь ноября ноя",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro "
    "grudzień grudnia gru декабрь декабря дек",
}
MONTH_NUMBER = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH = "|".join(sorted(map(re.escape, MONTH_NUMBER), key=len, reverse=True))
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DAY = r"(?P<d>[0-3]?\d)"
_NAMED = rf"(?P<m>{_MONTH})(?![^\W\d_])"  # a whole word: "Mar" in "Marco" is no month
_ORDINAL = r"(?:st|nd|rd|th|er|º)?"
_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # 2021-03-03, 2021/3/3, 2021.03.03, 2021年3月3日, 2021년 3월 3일
        (
            rf"(?<![\da-zA-Z./-]){_YEAR}(?:[-/.]|\s*[年년]\s*)(?P<n>[01]?\d)"
            rf"(?:[-/.]|\s*[月월]\s*){_DAY}(?![\d.]\d)"
        ),
        # 3.3.2021, 03/03/2021, 3-3-2021: day or month first, as the page's language says
        rf"(?<![\d./-]){_DAY}(?P<sep>[./-])\s?(?P<n>[01]?\d)(?P=sep)\s?{_YEAR}(?!\d)",
        # 3 March 2021, 3. März 2021, 3rd of March, 2021, 3 de marzo de 2021, 3 марта 2021
        (
            rf"(?<!\w){_DAY}{_ORDINAL}\.?\s*(?:of\s+|de\s+)?{_NAMED}\.?,?\s*"
            rf"(?:de\s+|del\s+)?{_YEAR}(?!\d)"
        ),
        # March 3, 2021, Mar. 3rd 2021
        rf"(?<!\w){_NAMED}\.?\s*{_DAY}{_ORDINAL}\.?,?\s*{_YEAR}(?!\d)",
        # 03.03.21: German-style short year, two digits each (no "1.2.21" version numbers)
        r"(?<![\d.])(?P<d>[0-3]\d)\.(?P<n>[01]\d)\.(?P<yy>\d\d)(?![\d]|\.\d)",
    )
)
# Page languages that write 03/04/2021 month first (WordPress says "en-US" by default).
MONTH_FIRST_LANGUAGES = frozenset({"en", "en-us"})
# Cheap test before the full patterns: no four-digit year, no date.
HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|\d\d\.\d\d\.\d\d(?!\d)")
# A date spans at most this many characters before its year ("3rd of September, ") and
# after its start ("-03-03").
BEFORE_YEAR = 40
AFTER_YEAR = 16


@dataclass(frozen=True)
class Found:
    """A date found in text: where it is, and the calendar day it names."""

    start: int
    end: int
    day: date


def _century(short: int) -> int:
    """A two-digit year: in this century unless that is in the future."""
    this = date.today().year
    return 2000 + short if 2000 + short <= this else 1900 + short


def _day(match: re.Match[str], month_first: bool) -> date | None:
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    day = int(groups["d"])
    year = int(groups["y"]) if "y" in groups else _century(int(groups["yy"]))
    if "m" in groups:
        month = MONTH_NUMBER[groups["m"].lower()]
    else:
        month = int(groups["n"])
        swap = groups.get("sep") in ("/", "-") and (month_first or month > 12)
        if swap and day <= 12:
            day, month = month, day
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _windows(text: str) -> list[tuple[int, int]]:
    """Where dates can be: around each four-digit year, overlapping spans merged."""
    windows: list[tuple[int, int]] = []
    for year in HAS_YEAR.finditer(text):
        lo, hi = max(0, year.start() - BEFORE_YEAR), year.end() + AFTER_YEAR
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def find_dates(text: str, *, month_first: bool = False, latest: date | None = None) -> list[Found]:
    """Every absolute date in ``text`` (never a relative one), in order; 03/04/2021 is read
    month first only when ``month_first`` (US English) or when the day cannot be a month."""
    found: dict[tuple[int, int], date] = {}
    # The patterns are slow to try at every offset of a long page: only around years.
    for lo, hi in _windows(text):
        for pattern in _PATTERNS:
            for match in pattern.finditer(text, lo, hi):
                day = _day(match, month_first)
                if day is not None and (latest is None or day <= latest):
                    found[match.span()] = day
    ordered = sorted(found.items())
    kept: list[Found] = []
    for (start, end), day in ordered:
        if not kept or start >= kept[-1].end:
            kept.append(Found(start, end, day))
    return kept
