"""Posts and standalone pages in one archive: searches show posts unless asked for pages.

A real archive on disk (WARC, JSONL, index) with a post and a page (two versions) that
share words; ``search``, ``reindex``, ``show``, ``export --wacz``, the web UI and the API.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient

from archive.jsonl import JsonlWriter
from archive.records import PostRecord
from archive.search.index import SearchIndex
from archive.search.schema import VERSION_FILE
from archive.web import create_app
from archive.web.forms import SearchForm
from archive.web.openapi import openapi_document
from archive.web.posts import post_id
from archive.web.security import allowed_hosts
from crawler.cli import main
from tests.test_archive_rebuild import write_warc

POST_URL = "https://blog.example/2024/01/rust-notes.html"
PAGE_URL = "https://blog.example/about/"
WARC_NAME = "t-20240101000000-00001-h.warc.gz"


def item(url: str, kind: str, title: str, body: str, **fields: Any) -> PostRecord:
    base: dict[str, Any] = {
        "site": "blog",
        "authors": ["Ana Lima"],
        "version": 1,
        "fetched_at": "2024-02-01T00:00:00Z",
        "language": "en",
    }
    return PostRecord(url=url, kind=kind, title=title, body=body, **{**base, **fields})


POST = item(POST_URL, "post", "Rust notes", "Notes on ownership.", published="2024-01-05")
PAGE = item(PAGE_URL, "page", "About this blog", "Notes on who writes here.")
PAGE_V2 = PAGE.replace(version=2, fetched_at="2024-03-01T00:00:00Z", body="Notes, rewritten.")


def kinds_archive(data_dir: Path) -> Path:
    """A data dir with POST, PAGE and PAGE_V2 in a WARC, the JSONL and the index."""
    (data_dir / "warc").mkdir(parents=True)
    items = write_warc(data_dir / "warc" / WARC_NAME, [POST, PAGE, PAGE_V2])
    with JsonlWriter(data_dir / "items") as writer:
        for record in items:
            writer.write(record)
    SearchIndex(data_dir / "index").add(items)
    return data_dir


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return kinds_archive(tmp_path / "data")


def search(data: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["search", "--json", *args, "--data-dir", str(data)]) == 0
    hits: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return hits


# ---------------------------------------------------------------- the index


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("post", [POST_URL]), ("page", [PAGE_URL]), ("all", sorted([PAGE_URL, POST_URL]))],
)
@pytest.mark.parametrize("query", ["notes", ""])
def test_index_search_filters_by_kind(
    data: Path, query: str, kind: str, expected: list[str]
) -> None:
    hits = SearchIndex(data / "index").search(query, kind=kind)
    assert sorted(h.url for h in hits) == expected
    assert all(h.kind == ("page" if h.url == PAGE_URL else "post") for h in hits)


def test_index_search_shows_posts_by_default(data: Path) -> None:
    index = SearchIndex(data / "index")
    assert [h.url for h in index.search("notes")] == [POST_URL]
    assert sorted(h.url for h in index.search("notes", kind=None)) == sorted([PAGE_URL, POST_URL])
    with pytest.raises(ValueError, match="invalid kind 'listing'"):
        index.search("notes", kind="listing")


def test_pages_have_versions_like_posts(data: Path) -> None:
    index = SearchIndex(data / "index")
    versions = index.versions(PAGE_URL)
    assert [(r.version, r.kind) for r in versions] == [(1, "page"), (2, "page")]
    assert versions[-1].warc is not None
    hits = index.search("notes", kind="page", all_versions=True)
    assert sorted(h.version or 0 for h in hits) == [1, 2]
    assert index.count() == 2


# ---------------------------------------------------------------- blogarchive search


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], [("post", POST_URL)]),
        (["--kind", "post"], [("post", POST_URL)]),
        (["--kind", "page"], [("page", PAGE_URL)]),
        (["--kind", "all"], [("page", PAGE_URL), ("post", POST_URL)]),
    ],
)
def test_cli_kind_option(
    data: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: list[tuple[str, str]],
) -> None:
    hits = search(data, capsys, "notes", *args)
    assert sorted((h["kind"], h["url"]) for h in hits) == expected
    assert list(hits[0])[:7] == ["url", "title", "author", "published", "rating", "site", "kind"]


def test_cli_terminal_output_names_the_kind_of_pages(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["search", "notes", "--kind", "all", "--color", "never"]
    assert main([*args, "--data-dir", str(data)]) == 0
    hits = {
        hit.splitlines()[0]: hit.splitlines()[1] for hit in capsys.readouterr().out.split("\n\n")
    }
    assert hits == {
        "About this blog": "  Ana Lima · blog · page · v2",
        "Rust notes": "  Ana Lima · 2024-01-05 · blog",
    }


def test_cli_rejects_an_unknown_kind(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "notes", "--kind", "listing", "--data-dir", str(data)])
    assert exit_info.value.code == 2
    assert "invalid choice: 'listing'" in capsys.readouterr().err


# ---------------------------------------------------------------- old indexes and reindex


def test_an_index_of_the_old_schema_asks_for_reindex(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "index" / VERSION_FILE).write_text('{"schema_version": 2}\n', encoding="utf-8")
    assert main(["search", "notes", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert "built with schema version 2" in err
    assert "run `blogarchive reindex`" in err
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert "replacing the index" in capsys.readouterr().err
    assert [h["url"] for h in search(data, capsys, "notes")] == [POST_URL]
    assert [h["url"] for h in search(data, capsys, "notes", "--kind", "page")] == [PAGE_URL]


def test_reindex_reads_jsonl_lines_without_kind_as_posts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSONL written before the field existed: every line is a post."""
    data = tmp_path / "data"
    (data / "items").mkdir(parents=True)
    lines = []
    for record in (POST, PAGE):
        old = record.to_dict()
        del old["kind"]
        lines.append(json.dumps(old) + "\n")
    (data / "items" / "old-20230101000000.jsonl").write_text("".join(lines), encoding="utf-8")
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.startswith("indexed 2 posts from JSONL")
    hits = search(data, capsys, "notes")
    assert sorted((h["kind"], h["url"]) for h in hits) == sorted(
        [("post", PAGE_URL), ("post", POST_URL)]
    )
    assert search(data, capsys, "notes", "--kind", "page") == []


def test_reindex_from_warc_metadata_keeps_the_kind(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reindex", "--from-warc", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    assert [h["url"] for h in search(data, capsys, "notes", "--kind", "page")] == [PAGE_URL]


# ---------------------------------------------------------------- show and export


def test_show_names_the_kind_of_a_page(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", PAGE_URL, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "\nKind:      page\n" in out
    assert "Versions (2):" in out
    assert main(["show", POST_URL, "--data-dir", str(data)]) == 0
    assert "Kind:" not in capsys.readouterr().out


def test_wacz_lists_posts_and_pages(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive.wacz"
    assert main(["export", "--wacz", str(out), "--data-dir", str(data)]) == 0
    with zipfile.ZipFile(out) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode().splitlines()[1:]
    assert sorted(json.loads(line)["url"] for line in lines) == sorted([PAGE_URL, POST_URL])


# ---------------------------------------------------------------- web UI and API


@pytest.fixture
def client(data: Path) -> Iterator[TestClient]:
    app = create_app(data, allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        yield client


def hit_urls(html: str) -> list[str]:
    return sorted(u for u in (POST_URL, PAGE_URL) if f'<p class="url">{u}</p>' in html)


def test_search_page_shows_posts_by_default_and_a_kind_filter(client: TestClient) -> None:
    page = client.get("/").text
    assert "Latest posts" in page
    assert hit_urls(page) == [POST_URL]
    assert '<label for="kind">Show</label>' in page
    assert '<option value="post" selected>Posts</option>' in page
    assert '<option value="page">Pages</option>' in page
    assert '<option value="all">Posts and pages</option>' in page


@pytest.mark.parametrize(
    ("kind", "heading", "expected"),
    [
        ("page", "Latest pages", [PAGE_URL]),
        ("all", "Latest posts and pages", [POST_URL, PAGE_URL]),
    ],
)
def test_search_page_kind_filter(
    client: TestClient, kind: str, heading: str, expected: list[str]
) -> None:
    listing = client.get("/", params={"kind": kind}).text
    assert heading in listing
    assert hit_urls(listing) == sorted(expected)
    assert f'<option value="{kind}" selected>' in listing
    assert '<span class="kind">page</span>' in listing
    found = client.get("/", params={"q": "notes", "kind": kind}).text
    assert hit_urls(found) == sorted(expected)


def test_search_page_rejects_an_unknown_kind(client: TestClient) -> None:
    page = client.get("/", params={"kind": "listing"})
    assert page.status_code == 400
    assert "kind must be one of post, page, all" in page.text


def test_search_form_keeps_the_kind_in_its_links() -> None:
    form = SearchForm.parse(QueryParams("q=notes&kind=page"))
    assert form.url(2) == "/?q=notes&kind=page&page=2"
    assert SearchForm.parse(QueryParams("kind=post")).url(2) == "/?page=2"


def test_api_search_kind(client: TestClient) -> None:
    def api(**params: str) -> list[dict[str, Any]]:
        response = client.get("/api/search", params={"q": "notes", **params})
        assert response.status_code == 200, response.text
        hits: list[dict[str, Any]] = response.json()
        return hits

    assert [(h["kind"], h["url"]) for h in api()] == [("post", POST_URL)]
    assert [(h["kind"], h["url"]) for h in api(kind="page")] == [("page", PAGE_URL)]
    both = api(kind="all")
    assert sorted(h["url"] for h in both) == sorted([PAGE_URL, POST_URL])
    document = openapi_document()
    schema = {"$ref": "#/components/schemas/Hit", "components": document["components"]}
    for hit in both:
        Draft202012Validator(schema).validate(hit)
    assert client.get("/api/search", params={"kind": "listing"}).status_code == 400


def test_openapi_documents_the_kind_parameter() -> None:
    document = openapi_document()
    params = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert params["kind"]["schema"] == {
        "type": "string",
        "enum": ["post", "page", "all"],
        "default": "post",
    }
    assert "kind" in document["components"]["schemas"]["Item"]["properties"]


def test_post_page_and_api_of_a_page(client: TestClient) -> None:
    page = client.get(f"/posts/{post_id(PAGE_URL)}")
    assert page.status_code == 200
    assert "<dt>Kind</dt><dd>page" in page.text
    api = client.get(f"/api/posts/{post_id(PAGE_URL)}").json()
    assert api["item"]["kind"] == "page"
    assert [v["version"] for v in api["versions"]] == [1, 2]
    assert "<dt>Kind</dt>" not in client.get(f"/posts/{post_id(POST_URL)}").text


def test_stats_count_pages_apart(client: TestClient) -> None:
    text = client.get("/stats").text
    assert "<dt>Posts</dt><dd>1</dd>" in text
    assert "<dt>Standalone pages</dt><dd>1</dd>" in text
    assert "<dt>Versions</dt><dd>1</dd>" in text  # of posts
    assert "blog, 2024-01: 1" in text  # the chart counts the post only


def test_export_never_overwrites_a_file_unless_forced(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "precious.wacz"
    out.write_bytes(b"someone's work")
    assert main(["export", "--wacz", str(out), "--data-dir", str(data)]) == 1
    assert out.read_bytes() == b"someone's work"
    assert main(["export", "--wacz", str(out), "--data-dir", str(data), "--force"]) == 0
    assert zipfile.is_zipfile(out)
