"""CLI helpers for search: rating bounds, terminal formatting, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.index import SearchHit, SearchIndex
from archive.records import PostRecord, Rating, WarcRef
from archive.search import format_hit, hits_to_json, parse_rating_bound

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"


def make_hit(**changes: object) -> SearchHit:
    fields: dict[str, object] = {
        "url": "https://rust.example/ownership",
        "title": "Understanding ownership",
        "author": "José Núñez",
        "published": "2019-03-01T09:30:00+02:00",
        "rating": Rating(value=4.5, best=5, worst=1).to_dict(),
        "site": "rustblog",
        "snippet": "The <mark>borrow</mark> checker &lt;rules&gt; &amp; more…",
        "score": 3.25,
        "warc": {"filename": "a.warc.gz", "offset": 1, "record_id": "<urn:x>", "length": None},
    }
    fields.update(changes)
    return SearchHit(**fields)  # type: ignore[arg-type]


def test_format_hit_plain() -> None:
    assert format_hit(make_hit(), color=False) == (
        "Understanding ownership\n"
        "  José Núñez · 2019-03-01 · ★ 4.5/5 · rustblog\n"
        "  https://rust.example/ownership\n"
        "  The borrow checker <rules> & more…"
    )


def test_format_hit_color_bolds_highlights() -> None:
    text = format_hit(make_hit(), color=True)
    lines = text.split("\n")
    assert lines[0] == f"{BOLD}Understanding ownership{NORMAL}"
    assert lines[3] == f"  The {BOLD}borrow{NORMAL} checker <rules> & more…"


def test_format_hit_missing_fields() -> None:
    hit = make_hit(title=None, author=None, published=None, rating=None, site=None, snippet="")
    assert format_hit(hit, color=False) == (
        "https://rust.example/ownership\n  https://rust.example/ownership"
    )


def test_format_hit_aggregate_rating_and_partial_meta() -> None:
    rating = Rating(value=8, best=10, worst=0, count=12, kind="aggregate").to_dict()
    hit = make_hit(author=None, rating=rating, site=None)
    assert format_hit(hit, color=False).split("\n")[1] == "  2019-03-01 · ★ 8/10 (12 votes)"


def test_format_hit_strips_terminal_control_codes() -> None:
    hit = make_hit(title="Evil\x1b[2J title", snippet="bad \x1b]0;x\x07 &#27;[31m text")
    text = format_hit(hit, color=False)
    assert "\x1b" not in text
    assert "\x07" not in text
    assert text.startswith("Evil[2J title\n")


def test_hits_to_json() -> None:
    hits = [make_hit(), make_hit(url="https://x.example/2", rating=None, warc=None)]
    text = hits_to_json(hits)
    assert "José Núñez" in text  # not ASCII-escaped
    assert '\n  {\n    "url"' in text  # indent 2
    data = json.loads(text)
    assert [d["url"] for d in data] == ["https://rust.example/ownership", "https://x.example/2"]
    assert list(data[0]) == [
        "url",
        "title",
        "author",
        "published",
        "rating",
        "site",
        "snippet",
        "score",
        "warc",
    ]
    assert data[1]["rating"] is None
    assert hits_to_json([]) == "[]"


def test_parse_rating_bound_helpers() -> None:
    assert parse_rating_bound("0.75") == 0.75
    assert parse_rating_bound("4/5") == pytest.approx(0.75)
    assert parse_rating_bound("0/5") == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_rating_bound("4.5")
    with pytest.raises(ValueError, match="denominator"):
        parse_rating_bound("3/0")


def test_end_to_end_with_real_index(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "index")
    idx.add(
        [
            PostRecord(
                url="https://x.example/a",
                site="x",
                title="Zero-copy parsing",
                authors=["Ana Lima"],
                published="2022-02-02",
                body="Zero-copy parsing avoids <allocations> entirely.",
                rating=Rating(value=5, best=5, worst=1),
                warc=WarcRef(filename="x.warc.gz", offset=0, record_id="<urn:a>"),
            )
        ]
    )
    hits = idx.search("allocations", min_rating=parse_rating_bound("4/5"))
    assert format_hit(hits[0], color=False).split("\n") == [
        "Zero-copy parsing",
        "  Ana Lima · 2022-02-02 · ★ 5/5 · x",
        "  https://x.example/a",
        "  Zero-copy parsing avoids <allocations> entirely.",
    ]
    assert f"<{BOLD}allocations{NORMAL}>" in format_hit(hits[0], color=True)
    assert json.loads(hits_to_json(hits))[0]["warc"]["record_id"] == "<urn:a>"
