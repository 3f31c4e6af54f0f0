"""The tantivy search index: upserts, query language, filters, snippets, locking."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import tantivy

from archive.records import PostRecord, Rating, WarcRef
from archive.search.index import (
    SCHEMA_VERSION,
    VERSION_FILE,
    IndexLockedError,
    QuerySyntaxError,
    SchemaVersionError,
    SearchHit,
    SearchIndex,
    parse_rating_bound,
)

REPO = Path(__file__).resolve().parents[1]


def post(url: str, **fields: object) -> PostRecord:
    return PostRecord(url=url, **fields)  # type: ignore[arg-type]


CORPUS = [
    post(
        "https://rust.example/ownership",
        site="rustblog",
        title="Understanding ownership in Rust",
        authors=["José Núñez"],
        published="2019-03-01T09:30:00+02:00",
        body=(
            "The borrow checker enforces ownership rules at compile time.\n\n"
            "Moving a value transfers ownership; borrowing lends it."
        ),
        tags=["rust", "memory"],
        rating=Rating(value=4.5, best=5, worst=1),
        warc=WarcRef(filename="rust-0001.warc.gz", offset=1234, record_id="<urn:uuid:1>"),
        fetched_at="2024-05-01T10:00:00Z",
    ),
    post(
        "https://go.example/channels",
        site="goblog",
        title="Channels and goroutines",
        authors=["Hosne Ara", "Bob Smith"],
        published="2019-02-28",
        body="Go channels connect goroutines. The checker borrow is not a Go concept.",
        tags=["go"],
        rating=Rating(value=3, best=5, worst=1),
    ),
    post(
        "https://rust.example/async",
        site="rustblog",
        title="Async executors compared",
        authors=["Ana Lima"],
        published="2021-06-15T12:00:00Z",
        body="Tokio and async-std are executors. Rust futures are lazy; programming them is fun.",
        tags=["rust", "async"],
    ),
    post(
        "https://misc.example/undated",
        site="misc",
        title="Notes without a date",
        authors=["josé núñez"],
        body="Random notes about databases, caching and Rust.",
    ),
]


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    idx = SearchIndex(tmp_path / "index")
    assert idx.add(CORPUS) == len(CORPUS)
    return idx


def urls(hits: list[SearchHit]) -> list[str]:
    return [h.url for h in hits]


# --------------------------------------------------------------------------- writing


def test_new_index_is_empty_and_versioned(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "nested" / "index")
    assert idx.count() == 0
    data = json.loads((tmp_path / "nested" / "index" / VERSION_FILE).read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert idx.search("") == []


def test_reopen_existing_index(tmp_path: Path, index: SearchIndex) -> None:
    again = SearchIndex(tmp_path / "index")
    assert again.count() == len(CORPUS)


def test_add_upserts_by_url(index: SearchIndex) -> None:
    updated = CORPUS[0].replace(title="Ownership revisited", body="Completely new text.")
    assert index.add([updated]) == 1
    assert index.count() == len(CORPUS)
    assert index.search("understanding") == []
    hits = index.search("revisited")
    assert urls(hits) == [CORPUS[0].url]
    assert hits[0].title == "Ownership revisited"


def test_duplicate_urls_in_one_batch_keep_last(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    first = post("https://x.example/a", title="first version")
    second = post("https://x.example/a", title="second version")
    assert idx.add([first, second]) == 2
    assert idx.count() == 1
    assert [h.title for h in idx.search("version")] == ["second version"]


def test_add_accepts_a_generator(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    n = idx.add(post(f"https://x.example/{i}", body=f"word{i} common") for i in range(50))
    assert n == 50
    assert idx.count() == 50
    assert len(idx.search("common", limit=100)) == 50


def test_failed_add_rolls_back_and_releases_lock(index: SearchIndex) -> None:
    def records() -> object:
        yield post("https://new.example/1", title="half written")
        raise RuntimeError("parser blew up")

    with pytest.raises(RuntimeError, match="parser blew up"):
        index.add(records())  # type: ignore[arg-type]
    assert index.count() == len(CORPUS)
    assert index.search("half written") == []
    assert index.add([post("https://new.example/2", title="after failure")], lock_timeout=1) == 1


def test_rebuild_replaces_everything(index: SearchIndex) -> None:
    fresh = [post("https://new.example/1", title="Fresh start", body="brand new")]
    assert index.rebuild(fresh) == 1
    assert index.count() == 1
    assert index.search("rust") == []
    assert urls(index.search("fresh")) == ["https://new.example/1"]


def test_search_sees_docs_added_by_another_instance(tmp_path: Path, index: SearchIndex) -> None:
    other = SearchIndex(tmp_path / "index")
    other.add([post("https://new.example/z", title="Zebra crossing")])
    assert urls(index.search("zebra")) == ["https://new.example/z"]
    assert index.count() == len(CORPUS) + 1


# --------------------------------------------------------------------------- query language


def test_words_are_anded_by_default(index: SearchIndex) -> None:
    assert urls(index.search("goroutines channels")) == ["https://go.example/channels"]
    assert index.search("goroutines tokio") == []


def test_explicit_and(index: SearchIndex) -> None:
    assert urls(index.search("tokio AND executors")) == ["https://rust.example/async"]


def test_phrase_matches_only_in_order(index: SearchIndex) -> None:
    both = set(urls(index.search("borrow checker")))
    assert both == {"https://rust.example/ownership", "https://go.example/channels"}
    assert urls(index.search('"borrow checker"')) == ["https://rust.example/ownership"]
    assert urls(index.search('"checker borrow"')) == ["https://go.example/channels"]


def test_or(index: SearchIndex) -> None:
    hits = urls(index.search("tokio OR goroutines"))
    assert sorted(hits) == ["https://go.example/channels", "https://rust.example/async"]


def test_not_and_minus(index: SearchIndex) -> None:
    with_rust = set(urls(index.search("rust")))
    assert "https://rust.example/async" in with_rust
    for query in ("rust -tokio", "rust NOT tokio"):
        hits = set(urls(index.search(query)))
        assert hits == with_rust - {"https://rust.example/async"}, query


def test_only_negative_lists_the_rest(index: SearchIndex) -> None:
    hits = set(urls(index.search("-rust")))
    assert hits == {"https://go.example/channels"}


def test_parentheses(index: SearchIndex) -> None:
    hits = urls(index.search("(tokio OR goroutines) channels"))
    assert hits == ["https://go.example/channels"]


def test_prefix(index: SearchIndex) -> None:
    assert urls(index.search("gorout*")) == ["https://go.example/channels"]
    assert urls(index.search("execut*")) == ["https://rust.example/async"]
    # "happy"/"programming" are indexed as stems; the prefix still finds them
    assert urls(index.search("programm*")) == ["https://rust.example/async"]


def test_phrase_prefix(index: SearchIndex) -> None:
    assert urls(index.search('"borrow check"*')) == ["https://rust.example/ownership"]


def test_stemming_and_accent_folding(index: SearchIndex) -> None:
    assert urls(index.search("executor")) == ["https://rust.example/async"]
    assert "https://rust.example/ownership" in urls(index.search("jose nunez"))


def test_field_prefixes(index: SearchIndex) -> None:
    assert urls(index.search("title:channels")) == ["https://go.example/channels"]
    assert index.search("title:tokio") == []
    assert urls(index.search("author:hosne")) == ["https://go.example/channels"]
    assert set(urls(index.search("tag:async"))) == {"https://rust.example/async"}
    assert set(urls(index.search("site:goblog"))) == {"https://go.example/channels"}
    assert urls(index.search('title:"ownership in rust"')) == ["https://rust.example/ownership"]


def test_punctuation_inside_words_is_harmless(index: SearchIndex) -> None:
    assert urls(index.search("async-std")) == ["https://rust.example/async"]
    assert index.search("https://nowhere.example/x?a=1") == []
    assert index.search("it's [weird] {query} ^ ~ !") == []
    assert urls(index.search("foo:bar OR tokio")) == ["https://rust.example/async"]


def test_title_match_ranks_above_body_only(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add(
        [
            post("https://x.example/body", title="Notes", body="kubernetes " + "filler " * 20),
            post("https://x.example/title", title="Kubernetes", body="filler " * 21),
        ]
    )
    assert urls(idx.search("kubernetes")) == ["https://x.example/title", "https://x.example/body"]


def test_author_match_ranks_above_body_only(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add(
        [
            post("https://x.example/body", title="A", body="knuth " + "filler " * 20),
            post("https://x.example/author", title="B", authors=["Knuth"], body="filler " * 21),
        ]
    )
    assert urls(idx.search("knuth")) == ["https://x.example/author", "https://x.example/body"]


def test_equal_scores_newest_first(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    dates = ["2020-01-01", "2022-01-01", None, "2021-01-01"]
    idx.add(
        post(f"https://x.example/{n}", title="same", body="same text", published=d)
        for n, d in enumerate(dates)
    )
    hits = idx.search("same")
    assert [h.published for h in hits] == ["2022-01-01", "2021-01-01", "2020-01-01", None]
    assert [h.published for h in idx.search("same", limit=2, offset=1)] == [
        "2021-01-01",
        "2020-01-01",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unterminated', "unterminated quoted phrase"),
        ("(rust", "missing ')'"),
        ("rust)", "unmatched ')'"),
        ("OR rust", "OR needs a term"),
        ("rust AND", "AND needs a term"),
        ("rust OR OR go", "OR needs a term"),
        ("NOT", "NOT (or -) must be followed"),
        ("()", "empty parentheses"),
        ("title:", "after 'title:'"),
        ("r*", "too short"),
    ],
)
def test_syntax_errors(index: SearchIndex, query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        index.search(query)


def test_syntax_error_names_the_position(index: SearchIndex) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        index.search('rust "borrow')
    assert info.value.position == 5
    assert "at position 6" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("query", ["!!!", "...", "&& ||", "- * ?"])
def test_punctuation_only_query(index: SearchIndex, query: str) -> None:
    with pytest.raises(QuerySyntaxError, match="no searchable words"):
        index.search(query)


# --------------------------------------------------------------------------- filters


def test_empty_query_lists_newest_first(index: SearchIndex) -> None:
    assert urls(index.search("")) == [
        "https://rust.example/async",
        "https://rust.example/ownership",
        "https://go.example/channels",
        "https://misc.example/undated",
    ]
    assert urls(index.search("  ", site="rustblog", limit=1, offset=1)) == [
        "https://rust.example/ownership"
    ]
    assert all(h.score == 0.0 for h in index.search(""))


def test_site_filter(index: SearchIndex) -> None:
    assert set(urls(index.search("rust", site="rustblog"))) == {
        "https://rust.example/ownership",
        "https://rust.example/async",
    }
    assert index.search("rust", site="rust") == []


@pytest.mark.parametrize("name", ["José Núñez", "jose nunez", "JOSE  NUNEZ", "José Nuñez"])
def test_author_filter_ignores_case_and_accents(index: SearchIndex, name: str) -> None:
    assert set(urls(index.search("", author=name))) == {
        "https://rust.example/ownership",
        "https://misc.example/undated",
    }


def test_author_filter_any_author_full_name(index: SearchIndex) -> None:
    assert urls(index.search("", author="bob smith")) == ["https://go.example/channels"]
    assert urls(index.search("channels", author="hosne ara")) == ["https://go.example/channels"]
    assert index.search("", author="hosne") == []  # the filter is a full name
    assert urls(index.search("hosne")) == ["https://go.example/channels"]  # free text: a word


def test_rating_filters(index: SearchIndex) -> None:
    # ownership: 4.5 on 1..5 → 0.875; channels: 3 on 1..5 → 0.5; the others are unrated.
    assert urls(index.search("", min_rating=0.8)) == ["https://rust.example/ownership"]
    assert urls(index.search("", min_rating="4.5/5")) == ["https://rust.example/ownership"]
    # "3/5" means "3 or more out of 5", so a 3 on a 1..5 scale (0.5) is kept.
    assert set(urls(index.search("", min_rating="3/5"))) == {
        "https://rust.example/ownership",
        "https://go.example/channels",
    }
    assert urls(index.search("", max_rating=0.6)) == ["https://go.example/channels"]
    assert urls(index.search("", min_rating=0.5, max_rating=0.5)) == ["https://go.example/channels"]
    assert set(urls(index.search("", min_rating=0))) == {
        "https://rust.example/ownership",
        "https://go.example/channels",
    }


def test_unrated_posts_are_excluded_by_min_rating(index: SearchIndex) -> None:
    assert "https://rust.example/async" in urls(index.search("tokio"))
    assert index.search("tokio", min_rating=0.0) == []


def test_bad_rating_bound(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        index.search("", min_rating=4.5)


def test_date_bounds_are_inclusive(index: SearchIndex) -> None:
    # ownership is 2019-03-01 (local time), channels 2019-02-28, async 2021-06-15.
    assert urls(index.search("", since="2019-03-01", until="2019-03-01")) == [
        "https://rust.example/ownership"
    ]
    assert urls(index.search("", until="2019-02-28")) == ["https://go.example/channels"]
    assert urls(index.search("", since=date(2019, 3, 1))) == [
        "https://rust.example/async",
        "https://rust.example/ownership",
    ]
    assert urls(index.search("", since="2019-03-01T09:30:00", until="2019-03-01T09:30:00")) == [
        "https://rust.example/ownership"
    ]
    assert index.search("", since=datetime(2019, 3, 1, 9, 30, 1), until="2019-03-01") == []


def test_date_filter_excludes_undated(index: SearchIndex) -> None:
    assert "https://misc.example/undated" in urls(index.search("rust"))
    assert "https://misc.example/undated" not in urls(index.search("rust", since="1900-01-01"))


def test_bad_date(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="invalid since date"):
        index.search("", since="March 1st")


def test_filters_combine_with_query(index: SearchIndex) -> None:
    hits = index.search("rust", site="rustblog", author="jose nunez", min_rating=0.5)
    assert urls(hits) == ["https://rust.example/ownership"]
    assert index.search("rust", site="rustblog", until="2019-01-01") == []


def test_filters_do_not_change_scores(index: SearchIndex) -> None:
    plain = {h.url: h.score for h in index.search("rust")}
    filtered = index.search("rust", site="rustblog", since="2000-01-01", min_rating=0)
    assert filtered
    for hit in filtered:
        assert hit.score == pytest.approx(plain[hit.url])


# --------------------------------------------------------------------------- hits and snippets


def test_hit_fields(index: SearchIndex) -> None:
    (hit,) = index.search('"borrow checker"')
    data = hit.to_dict()
    assert list(data) == [
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
    assert data["url"] == "https://rust.example/ownership"
    assert data["title"] == "Understanding ownership in Rust"
    assert data["author"] == "José Núñez"
    assert data["published"] == "2019-03-01T09:30:00+02:00"
    assert data["rating"] == CORPUS[0].rating.to_dict()  # type: ignore[union-attr]
    assert data["site"] == "rustblog"
    assert data["kind"] == "post"
    assert data["warc"] == CORPUS[0].warc.to_dict()  # type: ignore[union-attr]
    assert isinstance(data["score"], float)
    assert data["score"] > 0
    json.dumps(data)


def test_snippet_marks_matches(index: SearchIndex) -> None:
    (hit,) = index.search('"borrow checker"')
    assert "<mark>borrow</mark> <mark>checker</mark>" in hit.snippet
    (hit,) = index.search("executors")
    assert "<mark>executors</mark>" in hit.snippet


def test_snippet_is_html_escaped(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    body = 'Beware of <script>alert("x")</script> & friends when embedding widgets.'
    idx.add([post("https://x.example/xss", title="XSS", body=body)])
    (hit,) = idx.search("widgets")
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp; friends" in hit.snippet
    assert "<mark>widgets</mark>" in hit.snippet
    (hit,) = idx.search("script")
    assert "&lt;<mark>script</mark>&gt;" in hit.snippet


def test_snippet_is_short_and_elided(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    body = "lorem ipsum " * 100 + "needle in the haystack " + "dolor sit " * 100
    idx.add([post("https://x.example/long", title="Long", body=body)])
    (hit,) = idx.search("needle")
    assert "<mark>needle</mark>" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet.replace("<mark>", "").replace("</mark>", "")) <= 230


def test_snippet_falls_back_to_body_start(index: SearchIndex) -> None:
    (hit,) = index.search("title:understanding")
    assert hit.snippet.startswith("The borrow checker enforces")
    assert "<mark>" not in hit.snippet
    assert "\n" not in hit.snippet


def test_snippet_highlights_prefix_matches(index: SearchIndex) -> None:
    (hit,) = index.search("gorout*")
    assert "<mark>goroutines</mark>" in hit.snippet


# --------------------------------------------------------------------------- versions


def test_schema_version_mismatch(tmp_path: Path, index: SearchIndex) -> None:
    version_file = tmp_path / "index" / VERSION_FILE
    version_file.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(SchemaVersionError, match="blogarchive reindex") as info:
        SearchIndex(tmp_path / "index")
    assert f"schema version {SCHEMA_VERSION + 1}" in str(info.value)
    version_file.unlink()
    with pytest.raises(SchemaVersionError, match="unknown schema version"):
        SearchIndex(tmp_path / "index")


def test_foreign_schema_is_reported(tmp_path: Path) -> None:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("url", stored=True)
    tantivy.Index(sb.build(), path=str(tmp_path))
    (tmp_path / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
    with pytest.raises(SchemaVersionError, match="blogarchive reindex"):
        SearchIndex(tmp_path)


def test_recreate_after_mismatch(tmp_path: Path, index: SearchIndex) -> None:
    (tmp_path / "index" / VERSION_FILE).write_text(json.dumps({"schema_version": 0}))
    fresh = SearchIndex.recreate(tmp_path / "index", lock_timeout=5)
    assert fresh.count() == 0
    assert fresh.rebuild(CORPUS) == len(CORPUS)
    assert SearchIndex(tmp_path / "index").count() == len(CORPUS)


# --------------------------------------------------------------------------- locking

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time, tantivy
    index = tantivy.Index.open(sys.argv[1])
    writer = index.writer(15_000_000, 1)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    writer.rollback()
    writer.wait_merging_threads()
    del writer
    """
)

ADD_MANY = textwrap.dedent(
    """
    import sys
    from archive.search.index import SearchIndex
    from archive.records import PostRecord
    tag = sys.argv[2]
    idx = SearchIndex(sys.argv[1])
    for batch in range(5):
        records = [
            PostRecord(url=f"https://{tag}.example/{batch}/{i}", title=f"{tag} post", body="x")
            for i in range(40)
        ]
        idx.add(records, lock_timeout=60)
    print(idx.count(), flush=True)
    """
)


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_add_waits_for_another_process(tmp_path: Path, index: SearchIndex) -> None:
    with hold_lock(tmp_path / "index", 1.5) as proc:
        started = time.monotonic()
        assert index.add([post("https://new.example/late", title="waited")], lock_timeout=30) == 1
        assert time.monotonic() - started >= 0.5
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert urls(index.search("waited")) == ["https://new.example/late"]


def test_add_gives_up_after_lock_timeout(tmp_path: Path, index: SearchIndex) -> None:
    with hold_lock(tmp_path / "index", 60) as proc:
        try:
            started = time.monotonic()
            with pytest.raises(IndexLockedError, match="another writer") as info:
                index.add([post("https://new.example/never")], lock_timeout=0.5)
            assert 0.4 <= time.monotonic() - started < 10
            assert "crawl" in str(info.value)
            with pytest.raises(IndexLockedError):
                index.rebuild([], lock_timeout=0.2)
            # Readers need no lock.
            assert index.count() == len(CORPUS)
            assert urls(index.search('"borrow checker"')) == ["https://rust.example/ownership"]
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert index.add([post("https://new.example/after")], lock_timeout=30) == 1


def test_search_while_writer_open_in_process(tmp_path: Path, index: SearchIndex) -> None:
    raw = tantivy.Index.open(str(tmp_path / "index"))
    writer = raw.writer(15_000_000, 1)
    try:
        assert urls(index.search("tokio")) == ["https://rust.example/async"]
        with pytest.raises(IndexLockedError):
            index.add([post("https://new.example/x")], lock_timeout=0.1)
    finally:
        writer.rollback()
        writer.wait_merging_threads()
        del writer
    assert index.add([post("https://new.example/x")], lock_timeout=5) == 1


def test_two_processes_add_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "index"
    SearchIndex(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_MANY, str(path), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for tag in ("alpha", "beta")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert int(out.strip()) >= 200
    idx = SearchIndex(path)
    assert idx.count() == 400
    assert len(idx.search("alpha", limit=500)) == 200
    assert len(idx.search("beta", limit=500)) == 200


# --------------------------------------------------------------------------- misc


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.75", 0.75), (" 4/5 ", 0.75), ("1", 1.0), ("0", 0.0), ("9/10", 8 / 9), (0.5, 0.5)],
)
def test_parse_rating_bound(text: str | float, value: float) -> None:
    assert parse_rating_bound(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "4.5", "6/5", "4/0", "-0.1", "nan", "1/x"])
def test_parse_rating_bound_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="rating bound"):
        parse_rating_bound(text)


def test_limit_and_offset(index: SearchIndex) -> None:
    everything = urls(index.search("rust", limit=100))
    assert len(everything) == 3
    assert urls(index.search("rust", limit=1, offset=1)) == everything[1:2]
    assert index.search("rust", limit=0) == []
    assert index.search("rust", offset=10) == []
    with pytest.raises(ValueError, match="limit"):
        index.search("rust", limit=-1)


def test_archive_does_not_import_scrapy() -> None:
    code = (
        "import sys, archive.search.index, archive.search.hits; "
        "sys.exit(1 if any(m.split('.')[0] == 'scrapy' for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


def test_constant_score_matches_newest_first(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "i")
    idx.add(
        post(f"https://x.example/{n}", body=f"wordy{n}", published=f"{2000 + n % 20}-01-01")
        for n in range(2200)
    )
    hits = idx.search("wordy*", limit=5)
    assert [h.published for h in hits] == ["2019-01-01"] * 5
    hits = idx.search("-nothing", limit=3, offset=200)
    assert [h.published for h in hits] == ["2018-01-01"] * 3  # 110 posts a year


OPEN_AT_ONCE = """
import sys, time
from archive.search.index import SearchIndex
from archive.records import PostRecord
start = float(sys.argv[2])
while time.time() < start:
    pass
index = SearchIndex(sys.argv[1])
index.add([PostRecord(url=f"https://race.example/{sys.argv[3]}", title="t", body="b")])
"""


def test_processes_creating_one_index_at_once_all_open_it(tmp_path: Path) -> None:
    """Crawls starting together on a new data dir: none may take the index that another
    is creating for an index of an unknown schema version."""
    for attempt in range(3):
        path = tmp_path / f"index{attempt}"
        start = time.time() + 1.0
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT_ONCE, str(path), str(start), str(n)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), "\n".join(e for e in errors if e)
        assert SearchIndex(path).count() == 6
