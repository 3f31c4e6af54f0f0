"""Fixture cases in web-poet style: ``tests/fixtures/parsers/<case>/{input.html,url.txt,…}``.

Hand-made cases hold ``output.json``; a case with ``input.xml`` is an Atom feed entry (``PostRecord.to_dict()``, hand-checked); real pages
under ``realworld/`` hold ``expected.json`` (corpus ground truth: author, title, snippets).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import parse_feed_entry, parse_post

FIXTURES = Path(__file__).parent / "fixtures" / "parsers"
CASES = sorted(p.parent for p in FIXTURES.glob("*/output.json"))
REAL_CASES = sorted(p.parent for p in FIXTURES.glob("realworld/*/expected.json"))
FIELDS = (
    "url",
    "site",
    "kind",
    "title",
    "author",
    "authors",
    "published",
    "updated",
    "body",
    "rating",
    "tags",
    "platform",
    "canonical_url",
    "language",
    "word_count",
    "version",
    "content_hash",
    "fetched_at",
    "warc",
)


def _parse(case: Path) -> dict[str, Any]:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    if (case / "input.xml").exists():
        return parse_feed_entry((case / "input.xml").read_bytes(), url).to_dict()
    return parse_post(url, (case / "input.html").read_bytes()).to_dict()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_fields(case: Path) -> None:
    expected = json.loads((case / "output.json").read_text(encoding="utf-8"))
    actual = _parse(case)
    assert set(actual) == set(expected), "the record has other keys than output.json"
    for name in FIELDS:
        assert actual[name] == expected[name], f"{case.name}: field {name!r} differs"


@pytest.mark.parametrize("case", REAL_CASES, ids=[c.name for c in REAL_CASES])
def test_realworld_page(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    actual = _parse(case)
    body = " ".join(actual["body"].split())
    assert actual["authors"] == expected["authors"], f"{case.name}: field 'authors' differs"
    assert actual["title"] == expected["title"], f"{case.name}: field 'title' differs"
    assert (actual["published"] or "")[:10] == (expected["published_date"] or ""), "published"
    for snippet in expected["body_contains"]:
        assert snippet in body, f"{case.name}: body lacks {snippet!r}"
    for snippet in expected["body_not_contains"]:
        assert snippet not in body, f"{case.name}: body holds boilerplate {snippet!r}"


def test_every_markup_case_has_a_fixture() -> None:
    """markup.md §7: 22 cases; 20 has two variants and 22 one fixture per platform."""
    names = {c.name for c in CASES}
    assert len(names) >= 22 + 1 + 4
    assert {"blogger_atom_feed_entry", "hreview_abbr_icons", "hreview_icons_only"} <= names


def test_every_fixture_dir_is_a_case() -> None:
    dirs = {p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "realworld"}
    assert dirs == set(CASES), "a fixture directory lacks output.json"
    assert len(REAL_CASES) >= 3
