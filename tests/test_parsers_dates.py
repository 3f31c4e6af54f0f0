"""Published dates: machine-readable, then shown with the post, then the URL's (issue 14).

Fixture cases are hand-made pages in ``tests/fixtures/dates/<case>/`` (``input.html``,
``url.txt``, ``expected.json`` with the ``published`` value and why); every rule has a case
that takes a date and a near miss that must not.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from crawler.parsers import page_for
from crawler.parsers.dates import local_day, to_iso, url_date
from crawler.parsers.datetext import find_dates

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.parent for p in (FIXTURES / "dates").glob("*/expected.json"))
# Date accuracy of published() on the eval subset's 41 dated pages (0.902 when set; machine-
# readable dates alone gave 0.732), 0.005 under the measured value.
EVAL_DATE_FLOOR = 0.897
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_published(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    page = page_for(url, (case / "input.html").read_bytes())
    assert page.published() == expected["published"], expected["why"]


def test_every_rule_has_a_near_miss() -> None:
    outcomes = [json.loads((c / "expected.json").read_text())["published"] for c in CASES]
    assert len(CASES) >= 20
    assert outcomes.count(None) >= 8


@pytest.mark.parametrize(
    "text",
    [
        "Posted on March 3, 2021",
        "Wednesday, Mar. 3rd 2021 at 10:00",
        "3rd of March, 2021",
        "3. März 2021",
        "Mittwoch, 03.03.2021, 10:00 Uhr",
        "03.03.21",
        "le 3 mars 2021 à 10h",
        "3 de marzo de 2021",
        "3 marzo 2021",
        "3 de março de 2021",
        "3 maart 2021",
        "3 marca 2021",
        "3 марта 2021 г.",
        "2021年3月3日",
        "2021年03月03日 10:00",
        "2021-03-03T10:00:00",
        "2021/03/03",
    ],
)
def test_absolute_dates_in_eleven_languages(text: str) -> None:
    assert [f.day.isoformat() for f in find_dates(text)] == ["2021-03-03"]


@pytest.mark.parametrize(
    "text",
    [
        "2 days ago",
        "yesterday",
        "vor 3 Stunden",
        "il y a 2 jours",
        "March 2021",
        "version 1.2.21",
        "10.10.10.10",
        "Marco 2021",
        "https://example.com/blog/2016/07/08/slug",
        "31 February 2021",
    ],
)
def test_no_date_in_relative_partial_or_impossible_text(text: str) -> None:
    assert find_dates(text) == []


def test_numeric_dates_read_by_language() -> None:
    assert [f.day.isoformat() for f in find_dates("03/04/2021")] == ["2021-04-03"]
    assert [f.day.isoformat() for f in find_dates("03/04/2021", month_first=True)] == ["2021-03-04"]
    assert [f.day.isoformat() for f in find_dates("13/04/2021", month_first=True)] == ["2021-04-13"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://b.example/2021/03/03/slug/", "2021-03-03"),
        ("https://b.example/news/2020-04-26-slug", "2020-04-26"),
        ("https://b.example/detail/20200102/10002.html", "2020-01-02"),
        ("https://b.example/local/2020-02/19/c_1125597921.htm", "2020-02-19"),
        ("https://b.example/2021/03/slug/", None),
        ("https://b.example/2021/02/30/slug/", None),
        ("https://b.example/p/12345678/", None),
        ("https://b.example/slug?date=2021/03/03", None),
    ],
)
def test_url_date_needs_a_day(url: str, expected: str | None) -> None:
    assert url_date(url) == expected


def test_machine_dates_drop_zero_dates_keep_a_sure_day() -> None:
    page = page_for("https://b.example/", b'<meta name="date" content="0001-01-01T00:00:00Z">')
    assert page.published() is None
    assert to_iso("2022-01-10T22:06:08:684Z") == "2022-01-10"


@pytest.mark.parametrize(
    ("iso", "shown", "expected"),
    [
        ("2021-11-04T23:00:00Z", "2021-11-05", "2021-11-05T00:00:00+01:00"),
        ("2022-05-04T02:41:00+00:00", "2022-05-03", "2022-05-03T23:41:00-03:00"),
        ("2021-11-04T23:00:00Z", "2021-11-04", "2021-11-04T23:00:00Z"),
        ("2021-11-04T09:00:00Z", "2021-11-05", "2021-11-04T09:00:00Z"),
        ("2021-11-04T23:00:00Z", "2021-11-09", "2021-11-04T23:00:00Z"),
        ("2021-11-04T23:00:00+01:00", "2021-11-05", "2021-11-04T23:00:00+01:00"),
        ("2021-11-04T23:00:00Z", None, "2021-11-04T23:00:00Z"),
    ],
)
def test_utc_timestamp_on_the_day_the_page_shows(
    iso: str, shown: str | None, expected: str
) -> None:
    assert local_day(iso, shown) == expected


def _day(value: str | None) -> str | None:
    found = _DAY.search(value or "")
    return found.group(0) if found else None


def test_date_accuracy_on_eval_subset() -> None:
    """The real pages of the extraction gate (human ground truth, licences alongside)."""
    eval_dir = FIXTURES / "eval"
    lines = (eval_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    dated = [r for r in rows if _day(r.get("expected_date"))]
    right = 0
    for row in dated:
        html = gzip.decompress((eval_dir / row["html_file"]).read_bytes())
        right += _day(page_for(row["url"] or "", html).published()) == _day(row["expected_date"])
    assert right / len(dated) >= EVAL_DATE_FLOOR
