"""Diffs of two versions of a post: fields as values, the body paragraph by paragraph and
word by word, and the ``show --diff`` command on a real archive (WARC, JSONL and index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.diff import diff_posts
from archive.records import PostRecord, Rating
from crawler.cli import main
from tests.test_search_kinds import PAGE_URL, kinds_archive

BODY = "First paragraph stays.\n\nThe second one says a thing.\n\nThe third stays too."
OLD = PostRecord(url="https://blog.example/p", title="A post", body=BODY, version=1, tags=("rust",))


def test_an_added_sentence_is_added_words_in_its_paragraph() -> None:
    new = OLD.replace(
        version=2, body=BODY.replace("a thing.", "a thing. And now one more sentence.")
    )
    diff = diff_posts(OLD, new)
    assert diff.fields == []
    [paragraph] = diff.paragraphs
    assert [(s.op, s.text) for s in paragraph] == [
        ("same", "The second one says a thing."),
        ("added", "And now one more sentence."),
    ]
    assert diff.summary() == "body +5 -0 words"


def test_fields_change_as_values_and_paragraphs_come_and_go() -> None:
    new = OLD.replace(
        version=2,
        title="A post, revised",
        tags=("rust", "async"),
        rating=Rating(value=4, best=5, worst=1),
        body=BODY.replace("\n\nThe third stays too.", "") + "\n\nA new closing paragraph.",
    )
    diff = diff_posts(OLD, new)
    assert [c.name for c in diff.fields] == ["title", "rating", "tags"]
    assert diff.fields[0].old == "A post"
    # One paragraph for another, in its place: an edit inside it, word by word.
    assert [[(s.op, s.text) for s in p] for p in diff.paragraphs] == [
        [("removed", "The third stays too."), ("added", "A new closing paragraph.")]
    ]
    assert diff.summary().startswith("title, rating, tags changed; body +")


def test_near_miss_whitespace_and_line_breaks_are_no_change() -> None:
    new = OLD.replace(version=2, body=BODY.replace("says a", "says\n a").replace(". ", ".  "))
    diff = diff_posts(OLD, new)
    assert (diff.paragraphs, diff.summary()) == ([], "no visible change")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return kinds_archive(tmp_path / "data")


def test_show_diff_marks_words_and_lists_changes(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", PAGE_URL, "--diff", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{PAGE_URL}: v1 -> v2: body +2 -5 words"
    assert "[-Notes on who writes here.-] {+Notes, rewritten.+}" in out
    assert main(["show", PAGE_URL, "--diff", "1..2", "--json", "--data-dir", str(data)]) == 0
    as_data = json.loads(capsys.readouterr().out)
    assert (as_data["from_version"], as_data["to_version"]) == (1, 2)
    assert {"op": "added", "text": "Notes, rewritten."} in as_data["body"][0]
    assert main(["show", PAGE_URL, "--data-dir", str(data)]) == 0
    listing = capsys.readouterr().out
    assert "first archived" in listing
    assert "body +2 -5 words" in listing


def test_show_diff_refuses_what_is_not_two_versions(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", PAGE_URL, "--diff", "2..7", "--data-dir", str(data)]) == 2
    assert "does not name two versions (versions: 1, 2)" in capsys.readouterr().err
    assert main(["show", PAGE_URL, "--diff", "x", "--data-dir", str(data)]) == 2
