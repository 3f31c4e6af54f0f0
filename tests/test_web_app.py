"""The web UI in-process (Starlette's test client, no browser): pages, API, safety."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from archive.web import create_app
from archive.web.posts import post_id
from archive.web.security import allowed_hosts
from crawler.config import site_name_for
from tests.conftest import read_items, run_cli
from tests.test_web_fixture import EDITED, HOSTILE, XIAOMI, WebArchive

CAPTURE_LINK = re.compile(r'href="(/captures/[^"]+)"')


@pytest.fixture(scope="module")
def client(archived: WebArchive) -> Iterator[TestClient]:
    app = create_app(archived.data_dir, allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        yield client


def get_json(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def schema_check(client: TestClient, name: str, instance: Any) -> None:
    document = get_json(client, "/api/openapi.json")
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    Draft202012Validator(schema).validate(instance)


# ---------------------------------------------------------------- search page


def test_search_page_shows_the_best_hit_first_with_highlights(client: TestClient) -> None:
    page = client.get("/", params={"q": "xiaomi"})
    assert page.status_code == 200
    first = page.text.index('class="hit"')
    assert XIAOMI in page.text[first : first + 2000]
    assert "<mark>Xiaomi</mark>" in page.text
    assert 'aria-label="Rated 5 out of 5">★★★★★</span>' in page.text
    assert '<time datetime="2019-03-02T11:53:00+06:00">2019-03-02</time>' in page.text


def test_search_filters_by_author_and_rating(client: TestClient) -> None:
    by_author = client.get("/", params={"author": "hosne"}).text
    assert by_author.count('class="hit"') == 4
    assert "Mei Tanaka" not in by_author.split("results-heading")[1]
    five = client.get("/", params={"min_rating": "5/5", "author": "Hosne"}).text
    assert five.count('class="hit"') == 1
    assert XIAOMI in five
    dated = client.get("/", params={"since": "2019-06-01", "until": "2019-06-30"}).text
    assert dated.count('class="hit"') == 2


def test_search_page_paginates(client: TestClient) -> None:
    first = client.get("/").text
    assert "Latest posts" in first
    assert first.count('class="hit"') == 10
    assert 'rel="next" href="/?page=2"' in first
    second = client.get("/?page=2").text
    assert second.count('class="hit"') == 2
    assert 'rel="prev" href="/"' in second
    assert '<ol class="hits" start="11">' in second


def test_search_page_reports_bad_input_escaped(client: TestClient) -> None:
    page = client.get("/", params={"q": "<script>alert(1)</script>", "since": "not a date"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert client.get("/", params={"page": "0"}).status_code == 400
    assert client.get("/", params={"sort": "random"}).status_code == 400


# ---------------------------------------------------------------- post page


def test_post_page_shows_the_post_its_captures_and_item(
    client: TestClient, archived: WebArchive
) -> None:
    url = archived.url(XIAOMI)
    page = client.get(f"/posts/{post_id(url)}")
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{XIAOMI}</h1>" in text
    assert "By Hosne" in text
    assert "<li>Xiaomi</li>" in text  # a tag
    assert f'<a href="{url}" rel="noopener noreferrer nofollow">Original URL</a>' in text
    assert "new version 1" in text
    assert "revisit (not modified)" in text
    assert text.count("View capture") == 2
    assert "&#34;url&#34;: &#34;" + url in text  # the JSONL item, escaped in a <pre>
    assert text.count("<h1>") == 1


def test_post_page_lists_versions(client: TestClient, archived: WebArchive) -> None:
    ident = post_id(archived.url(EDITED))
    latest = client.get(f"/posts/{ident}").text
    assert f"<h1>{EDITED} (updated)</h1>" in latest
    assert "new version 2" in latest
    assert "new version 1" in latest
    first = client.get(f"/posts/{ident}?version=1").text
    assert f"<h1>{EDITED}</h1>" in first
    assert client.get(f"/posts/{ident}?version=9").status_code == 404
    assert client.get(f"/posts/{ident}?version=x").status_code == 400


def test_unknown_post_is_a_404_page(client: TestClient) -> None:
    page = client.get("/posts/" + "0" * 40)
    assert page.status_code == 404
    assert "<h1>404: No such post in the archive.</h1>" in page.text


# ---------------------------------------------------------------- captures


def _capture_links(client: TestClient, title: str, archived: WebArchive) -> list[str]:
    page = client.get(f"/posts/{post_id(archived.url(title))}").text
    return [link for link in CAPTURE_LINK.findall(page) if not link.endswith("/raw")]


def test_capture_page_frames_the_capture_in_a_sandbox(
    client: TestClient, archived: WebArchive
) -> None:
    link = _capture_links(client, HOSTILE, archived)[0]
    page = client.get(link)
    assert page.status_code == 200
    assert f'<iframe class="capture" src="{link}/raw" sandbox=""' in page.text
    assert "frame-src 'self'" in page.headers["content-security-policy"]


def test_capture_is_served_with_a_sandboxing_csp(client: TestClient, archived: WebArchive) -> None:
    raw = client.get(_capture_links(client, HOSTILE, archived)[0] + "/raw")
    assert raw.status_code == 200
    policy = raw.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "sandbox",
    ):
        assert directive in [d.strip() for d in policy.split(";")]
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.headers["content-type"] == "text/html; charset=utf-8"
    # As captured (the CSP and the iframe sandbox keep it inert), but links are rewritten.
    assert "document.title='PWNED'" in raw.text
    assert 'data-archived-href="https://example.invalid/elsewhere"' in raw.text
    assert ' href="https://example.invalid' not in raw.text
    links = CAPTURE_LINK.findall(raw.text)
    assert links, "links to archived posts go to their captures"
    assert all(link.split("#")[0].endswith("/raw") for link in links)


def test_revisit_capture_shows_the_original(client: TestClient, archived: WebArchive) -> None:
    first, revisit = _capture_links(client, XIAOMI, archived)
    page = client.get(revisit).text
    assert "HTTP 304" in page
    assert "a revisit showing the copy of" in page
    assert client.get(revisit + "/raw").text == client.get(first + "/raw").text


@pytest.mark.parametrize(
    "path",
    [
        "/captures/nope.warc.gz/0",
        "/captures/nope.warc.gz/0/raw",
        "/captures/..%2F..%2Fetc%2Fpasswd/0/raw",
        "/captures/../../etc/passwd/0/raw",
    ],
)
def test_unknown_captures_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_capture_at_a_wrong_offset_is_404(client: TestClient, archived: WebArchive) -> None:
    link = _capture_links(client, XIAOMI, archived)[0]
    assert client.get(f"{link[: link.rindex('/')]}/1").status_code == 404


# ---------------------------------------------------------------- stats page


def test_stats_page_shows_sites_runs_size_and_a_chart(
    client: TestClient, archived: WebArchive
) -> None:
    page = client.get("/stats")
    assert page.status_code == 200
    text = page.text
    site = site_name_for(archived.base)
    assert f'<a href="/?site={site}">{site}</a>' in text
    assert "<dt>Posts</dt><dd>12</dd>" in text
    assert "<dt>Versions</dt><dd>13</dd>" in text
    assert text.count('<svg class="chart"') == 1
    assert text.count("<rect ") >= 7  # one bar per month with posts (Dec 2018 to Jun 2019)
    assert f"{site}, 2019-03: 2" in text
    assert "Archive size" in text
    assert " KB" in text
    runs = text.split("runs-heading")[-1]
    assert runs.count('<th scope="row">') == 2


# ---------------------------------------------------------------- JSON API


def test_api_search_has_the_fields_of_search_json(client: TestClient, archived: WebArchive) -> None:
    hits = get_json(client, "/api/search?q=xiaomi&limit=5")
    cli = run_cli(
        "search", "xiaomi", "--json", "--limit", "5", "--data-dir", str(archived.data_dir)
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert [{k: v for k, v in hit.items() if k != "id"} for hit in hits] == expected
    assert all(hit["id"] == post_id(hit["url"]) for hit in hits)
    assert hits[0]["title"] == XIAOMI
    schema_check(client, "Hit", hits[0])


def test_api_search_filters_and_errors(client: TestClient) -> None:
    assert len(get_json(client, "/api/search?author=Hosne&limit=100")) == 4
    assert len(get_json(client, "/api/search?min_rating=0.8")) == 2
    assert len(get_json(client, "/api/search?limit=3&offset=10")) == 2
    for bad in ("limit=0", "limit=101", "offset=-1", "since=yesterday", "min_rating=7", "sort=x"):
        response = client.get(f"/api/search?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["error"]


def test_api_post_returns_item_versions_and_captures(
    client: TestClient, archived: WebArchive
) -> None:
    url = archived.url(EDITED)
    post = get_json(client, f"/api/posts/{post_id(url)}")
    items = [item for item in read_items(archived.data_dir) if item["url"] == url]
    assert post["id"] == post_id(url)
    assert post["item"] == items[-1]
    assert post["versions"] == items
    assert [c["label"] for c in post["captures"]] == ["new version 1", "new version 2"]
    schema_check(client, "Post", post)
    older = get_json(client, f"/api/posts/{post_id(url)}?version=1")
    assert older["item"]["title"] == EDITED
    missing = client.get("/api/posts/" + "f" * 40)
    assert missing.status_code == 404
    assert missing.json() == {"error": "no such post"}


def test_api_runs_matches_runs_json(client: TestClient, archived: WebArchive) -> None:
    runs = get_json(client, "/api/runs")
    cli = run_cli("runs", "--json", "--data-dir", str(archived.data_dir))
    assert runs == json.loads(cli.stdout)
    # The run history counts every new item: 12 posts and the about page.
    assert [run["new_posts"] for run in runs] == [0, 13]
    for run in runs:
        schema_check(client, "Run", run)
    assert len(get_json(client, "/api/runs?limit=1")) == 1
    assert get_json(client, "/api/runs?site=elsewhere") == []
    assert client.get("/api/runs?limit=zero").status_code == 400


def test_openapi_document_is_valid_openapi_3(client: TestClient) -> None:
    document = get_json(client, "/api/openapi.json")
    validate(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/search",
        "/api/posts/{id}",
        "/api/runs",
        "/api/openapi.json",
    }


def test_api_errors_are_json(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


# ---------------------------------------------------------------- safety


@pytest.mark.parametrize("path", ["/", "/stats", "/api/search", "/api/runs", "/static/style.css"])
def test_every_response_has_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/", "/api/search", "/api/runs", "/static/style.css"])
def test_no_write_method_is_accepted(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path).status_code == 405


def test_loopback_server_refuses_other_host_names(client: TestClient) -> None:
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200


def test_empty_data_dir_still_serves(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path)) as client:
        page = client.get("/")
        assert page.status_code == 503
        assert "no search index" in page.text
        assert client.get("/stats").status_code == 200
        assert client.get("/api/search").status_code == 503
        assert client.get("/api/runs").json() == []
