"""CLI helpers for search: rating bounds, terminal formatting, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.records import PostRecord, Rating, WarcRef
from archive.search.hits import hits_to_json, parse_rating_bound
from archive.search.index import SearchHit, SearchIndex
from crawler.commands.search import format_hit

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
HIGHLIGHT, PLAIN = "\x1b[1;33m", "\x1b[22;39m"


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


def test_format_hit_color_highlights_matches() -> None:
    text = format_hit(make_hit(), color=True)
    lines = text.split("\n")
    assert lines[0] == f"{BOLD}Understanding ownership{NORMAL}"
    assert lines[3] == f"  The {HIGHLIGHT}borrow{PLAIN} checker <rules> & more…"


def test_format_hit_shows_later_versions() -> None:
    assert "· rustblog · v3" in format_hit(make_hit(version=3), color=False)
    assert "v1" not in format_hit(make_hit(version=1), color=False)


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
        "kind",
        "snippet",
        "score",
        "warc",
        "version",
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
    assert f"<{HIGHLIGHT}allocations{PLAIN}>" in format_hit(hits[0], color=True)
    assert json.loads(hits_to_json(hits))[0]["warc"]["record_id"] == "<urn:a>"


# --------------------------------------------------------------------------- versions


def v(n: int, body: str, **fields: Any) -> PostRecord:
    fetched = f"2024-0{n}-01T00:00:00Z"
    return PostRecord(
        url="https://v.example/post",
        title=f"Post v{n}",
        body=body,
        version=n,
        fetched_at=fetched,
        **fields,
    )


def test_every_version_is_kept_and_the_latest_is_searched(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add([v(1, "original wording about caching")])
    idx.add([v(2, "rewritten wording about queues")])
    assert idx.count() == 1
    assert idx.count(all_versions=True) == 2
    assert [h.version for h in idx.search("wording")] == [2]
    assert idx.search("caching") == []  # only the old version says it
    assert [h.version for h in idx.search("caching", all_versions=True)] == [1]
    assert sorted(h.version or 0 for h in idx.search("wording", all_versions=True)) == [1, 2]
    assert [h.version for h in idx.search("")] == [2]
    assert [r.version for r in idx.versions("https://v.example/post")] == [1, 2]


def test_readding_a_version_does_not_duplicate(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add([v(1, "first text"), v(2, "second text")])
    idx.add([v(2, "second text, re-extracted")])
    idx.add([v(1, "first text")])  # a late re-extract of an old version stays old
    assert idx.count(all_versions=True) == 2
    hits = idx.search("text")
    assert [(h.version, h.snippet) for h in hits] == [(2, "second <mark>text</mark>, re-extracted")]
    assert len(idx.search("text", all_versions=True)) == 2


def test_older_version_arriving_late_stays_superseded(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add([v(3, "newest words")])
    idx.add([v(1, "oldest words"), v(2, "middle words")])
    assert [h.version for h in idx.search("words")] == [3]
    assert idx.count() == 1


def test_same_version_newest_fetch_wins_within_a_batch(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    early = v(1, "early capture").replace(fetched_at="2024-01-01T00:00:00Z")
    late = v(1, "late capture").replace(fetched_at="2024-02-01T00:00:00Z")
    idx.add([early, late])
    assert idx.count(all_versions=True) == 1
    assert [h.snippet for h in idx.search("capture")] == ["late <mark>capture</mark>"]


def test_rebuild_flags_old_versions(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    other = PostRecord(url="https://v.example/other", title="Other", body="words", version=1)
    records = [v(1, "words one"), other, v(3, "words three"), v(2, "words two"), v(3, "words")]
    assert idx.rebuild(records) == 5
    assert idx.count() == 2
    assert idx.count(all_versions=True) == 4
    assert sorted(h.url for h in idx.search("words")) == [other.url, "https://v.example/post"]
    assert {h.version for h in idx.search("words") if h.url.endswith("post")} == {3}
    assert idx.search("three") == []  # version 3 was replaced by its re-extract
    assert idx.versions("https://v.example/post")[-1].body == "words"


def test_versions_round_trip_the_record(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    record = v(
        1, "Rustの所有権 body", authors=["Ana", "Bo"], tags=["Rust", "メモリ"],
        rating=Rating(value=4, best=5, worst=1, count=3, kind="aggregate", source="jsonld"),
        published="2020-01-02", updated="2020-02-03", platform="wordpress",
        canonical_url="https://v.example/c", language="ja", word_count=3,
        content_hash="sha1:X", warc=WarcRef(filename="w.warc.gz", offset=9, record_id="<r>"),
    )  # fmt: skip
    idx.add([record])
    assert idx.versions(record.url) == [record]
    assert idx.versions("https://v.example/none") == []


# --------------------------------------------------------------------------- filters


@pytest.fixture
def mixed(tmp_path: Path) -> SearchIndex:
    idx = SearchIndex(tmp_path / "i")
    idx.add(
        [
            PostRecord(
                url="https://m.example/fr",
                title="Le café",
                body="Un café crème.",
                tags=["Café", "Paris"],
                language="fr-FR",
                published="2020-05-01",
                rating=Rating(value=2, best=5, worst=1),
            ),
            PostRecord(
                url="https://m.example/de",
                title="Die Straße",
                body="Größe über alles.",
                tags=["Straßen"],
                language="de",
                published="2021-05-01",
                rating=Rating(value=5, best=5, worst=1),
            ),
            PostRecord(
                url="https://m.example/en",
                title="Coffee",
                body="A cafe review.",
                tags=["cafe"],
                language="en",
                published="2019-05-01",
            ),
        ]
    )
    return idx


def urls(hits: list[SearchHit]) -> list[str]:
    return [h.url for h in hits]


def test_tag_filter_is_whole_tag_case_and_accent_insensitive(mixed: SearchIndex) -> None:
    assert sorted(urls(mixed.search("", tag="CAFE"))) == [
        "https://m.example/en",
        "https://m.example/fr",
    ]
    assert urls(mixed.search("", tag=["café", "paris"])) == ["https://m.example/fr"]
    assert mixed.search("", tag="caf") == []
    assert urls(mixed.search("", tag="strassen")) == ["https://m.example/de"]  # casefold
    assert urls(mixed.search("", tag="Straßen")) == ["https://m.example/de"]
    with pytest.raises(ValueError, match="tag filter is empty"):
        mixed.search("", tag=" ")


def test_lang_filter_matches_primary_subtag(mixed: SearchIndex) -> None:
    assert urls(mixed.search("", lang="fr")) == ["https://m.example/fr"]
    assert urls(mixed.search("", lang="FR_fr")) == ["https://m.example/fr"]
    assert urls(mixed.search("", lang="fr-CA")) == []
    assert urls(mixed.search("cafe", lang="en")) == ["https://m.example/en"]


def test_max_rating_and_rating_range(mixed: SearchIndex) -> None:
    assert urls(mixed.search("", max_rating="3/5")) == ["https://m.example/fr"]
    assert urls(mixed.search("", min_rating=0.9, max_rating=1)) == ["https://m.example/de"]


def test_sort_by_date(mixed: SearchIndex) -> None:
    assert urls(mixed.search("cafe", sort="date")) == [
        "https://m.example/fr",
        "https://m.example/en",
    ]
    assert all(h.score == 0.0 for h in mixed.search("cafe", sort="date"))
    assert "<mark>" in mixed.search("cafe", sort="date")[0].snippet
    with pytest.raises(ValueError, match="invalid sort"):
        mixed.search("cafe", sort="size")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- non-Latin text


def test_accents_are_folded_both_ways(mixed: SearchIndex) -> None:
    assert sorted(urls(mixed.search("cafe"))) == ["https://m.example/en", "https://m.example/fr"]
    assert sorted(urls(mixed.search("café"))) == ["https://m.example/en", "https://m.example/fr"]
    assert urls(mixed.search("creme")) == ["https://m.example/fr"]
    assert urls(mixed.search("grosse uber")) == ["https://m.example/de"]  # ß → ss, ü → u
    assert urls(mixed.search("strasse")) == ["https://m.example/de"]
    assert "<mark>café</mark>" in mixed.search("cafe", lang="fr")[0].snippet


JA = PostRecord(
    url="https://ja.example/1",
    title="Rustの所有権入門",
    body="Rustの所有権は、メモリ安全性を保証します。借用チェッカーが検査する。",
)
ZH = PostRecord(url="https://zh.example/1", title="并发编程", body="我们讨论并发编程和内存模型。")
KO = PostRecord(
    url="https://ko.example/1", title="비동기", body="서울에서 비동기 프로그래밍을 배웠다."
)


@pytest.fixture
def cjk(tmp_path: Path) -> SearchIndex:
    idx = SearchIndex(tmp_path / "i")
    idx.add([JA, ZH, KO, PostRecord(url="https://en.example/1", title="Rust", body="rust only")])
    return idx


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("所有権", [JA.url]),
        ("所有", [JA.url]),
        ("メモリ安全性", [JA.url]),
        ("借用チェッカー", [JA.url]),
        ('"所有権は"', [JA.url]),
        ("所有権 メモリ", [JA.url]),
        ("安全所有", []),  # the characters, not in this order
        ("内存模型", [ZH.url]),
        ("서울", [KO.url]),
        ("프로그래밍", [KO.url]),
        ("ﾒﾓﾘ", [JA.url]),  # half-width katakana
        ("rust 所有権", [JA.url]),
        ("所有権 -メモリ", []),
        ("所有権 OR 并发", [JA.url, ZH.url]),
        ("title:入門", [JA.url]),
    ],
)
def test_cjk_words_are_found(cjk: SearchIndex, query: str, expected: list[str]) -> None:
    assert sorted(urls(cjk.search(query))) == sorted(expected)


def test_latin_word_glued_to_cjk_is_a_word(cjk: SearchIndex) -> None:
    assert sorted(urls(cjk.search("rust"))) == ["https://en.example/1", JA.url]
    assert sorted(urls(cjk.search("title:rust"))) == ["https://en.example/1", JA.url]


def test_cjk_snippets_mark_the_words(cjk: SearchIndex) -> None:
    (hit,) = cjk.search("所有権")
    assert hit.title == "Rustの所有権入門"  # the original, not the masked text
    assert hit.snippet.startswith("Rustの<mark>所有権</mark>は")
    (hit,) = cjk.search("rust 安全性")
    assert "<mark>Rust</mark>" in hit.snippet
    assert "<mark>安全性</mark>" in hit.snippet
    (hit,) = cjk.search("서울")
    assert "<mark>서울</mark>에서" in hit.snippet


SHY = PostRecord(
    url="https://de.example/wein",
    title="St. Mag\u00adda\u00adle\u00adner",
    body="Der St. Mag\u00adda\u00adle\u00adner ist ein Rot\u00adwein aus S\u00fcd\u00adtirol, "
    "von Baro\u00adlo bis Bar\u00adba\u00adres\u00adco oft ver\u00adgli\u00adchen.",
)


def test_soft_hyphens_do_not_split_words(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add([SHY, PostRecord(url="https://de.example/other", title="Andere", body="da le ner")])
    for query in ("Magdalener", "rotwein", '"Barolo bis Barbaresco"', "title:magdalener"):
        assert urls(idx.search(query)) == [SHY.url], query
    assert urls(idx.search("Mag\u00adda\u00adle\u00adner")) == [SHY.url]  # pasted from the page
    (hit,) = idx.search("Barbaresco")
    assert "<mark>Barbaresco</mark>" in hit.snippet
    assert hit.title == SHY.title  # the stored text is the page's own
    (record,) = idx.versions(SHY.url)
    assert record.body == SHY.body  # soft hyphens kept in the archive, left out of the index


# --------------------------------------------------------------------------- ranking


def test_unique_title_phrase_comes_first(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    filler = [
        PostRecord(url=f"https://r.example/{n}", title=f"Notes {n}",
                   body="zero cost abstractions " * (n % 5 + 1) + "and more text " * 30)
        for n in range(40)
    ]  # fmt: skip
    target = PostRecord(url="https://r.example/t", title="Zero cost abstractions explained",
                        body="A short post. " * 20)  # fmt: skip
    idx.add([*filler[:20], target, *filler[20:]])
    assert idx.search('"zero cost abstractions"')[0].url == target.url
    assert idx.search("zero cost abstractions")[0].url == target.url


ADD_VERSIONS = """
import sys
from archive.search.index import SearchIndex
from archive.records import PostRecord
idx = SearchIndex(sys.argv[1])
for n in map(int, sys.argv[2:]):
    record = PostRecord(url="https://v.example/post", body=f"text {n}", version=n)
    idx.add([record, PostRecord(url=f"https://v.example/{n}", body="text")], lock_timeout=60)
"""


def test_concurrent_writers_leave_one_latest_version(tmp_path: Path) -> None:
    SearchIndex(tmp_path / "i")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_VERSIONS, str(tmp_path / "i"), *numbers],
            cwd=Path(__file__).resolve().parents[1],
            stderr=subprocess.PIPE,
            text=True,
        )
        for numbers in (["1", "3", "5", "7"], ["8", "6", "4", "2"])
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    idx = SearchIndex(tmp_path / "i")
    assert idx.count(all_versions=True) == 16
    assert idx.count() == 9
    assert [
        h.version for h in idx.search("text", site=None, limit=50) if h.url.endswith("post")
    ] == [8]
