"""The web UI in a real browser: Debian's Chromium, headless, driven by Playwright.

The server is uvicorn on 127.0.0.1 (a free port) in a thread, serving the shared
fixture archive (see ``test_web_fixture``), behind a recorder of every request path
it receives. Screenshots and the measured page load times are saved as artifacts in
``$BLOGARCHIVE_TEST_ARTIFACTS`` (default: ``web-artifacts`` in pytest's temp dir).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from archive.web import create_app
from archive.web.posts import post_id
from archive.web.security import allowed_hosts
from archive.web.server import bind, url_of
from tests.test_search_kinds import PAGE_URL, POST_URL, kinds_archive
from tests.test_web_fixture import EDITED, HOSTILE, PWNED, XIAOMI, WebArchive

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    reason = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

ACCESSIBILITY_CHECK = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang attribute");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 elements`);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit") continue;
    if (!el.labels.length && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      problems.push(`unlabelled ${el.tagName} ${el.name}`);
  }
  for (const img of document.querySelectorAll("img"))
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
  for (const frame of document.querySelectorAll("iframe"))
    if (!frame.title) problems.push("iframe without title");
  for (const svg of document.querySelectorAll("svg[role=img]"))
    if (!svg.getAttribute("aria-label") && !svg.getAttribute("aria-labelledby"))
      problems.push("svg image without a name");
  if (!document.querySelector("main")) problems.push("no main landmark");
  if (!document.querySelector("nav")) problems.push("no navigation landmark");
  if (!document.title) problems.push("no title");
  return problems;
}"""
LOAD_TIME = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav ? nav.loadEventEnd - nav.startTime : null;
}"""


class Recorder:
    """ASGI wrapper that keeps the path of every request the server receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@dataclass
class Ui:
    url: str
    recorder: Recorder
    artifacts: Path
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def serving(data_dir: Path) -> Iterator[tuple[str, Recorder]]:
    """The UI of ``data_dir`` on a free port of 127.0.0.1: its base URL and its recorder."""
    import uvicorn

    recorder = Recorder(create_app(data_dir, allowed_hosts=allowed_hosts("127.0.0.1")))
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(recorder, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield url_of(sock).rstrip("/"), recorder
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def ui(archived: WebArchive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ui]:
    artifacts = Path(
        os.environ.get("BLOGARCHIVE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("web-artifacts")
    )
    artifacts.mkdir(parents=True, exist_ok=True)
    with serving(archived.data_dir) as (url, recorder):
        state = Ui(url=url, recorder=recorder, artifacts=artifacts)
        try:
            yield state
        finally:
            (artifacts / "load-times.json").write_text(json.dumps(state.timings, indent=2) + "\n")
            print(f"\nweb UI artifacts in {artifacts}: load times (ms) {state.timings}")


@pytest.fixture(scope="module")
def kinds_ui(ui: Ui, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ui]:
    """A second UI, of an archive with a post and a standalone page (``test_search_kinds``)."""
    data_dir = kinds_archive(tmp_path_factory.mktemp("kinds") / "data")
    with serving(data_dir) as (url, recorder):
        yield Ui(url=url, recorder=recorder, artifacts=ui.artifacts, timings=ui.timings)


@pytest.fixture(scope="module")
def browser(ui: Ui) -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="blogarchive-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1100, "height": 900},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Tab:
    """A page, with every request the browser made from it (any frame)."""

    page: Any
    ui: Ui
    requests: list[str] = field(default_factory=list)
    failed: list[tuple[str, str | None]] = field(default_factory=list)
    responses: dict[str, dict[str, str]] = field(default_factory=dict)

    def open(self, path: str, name: str) -> None:
        self.page.goto(self.ui.url + path)
        self.loaded(name)

    def loaded(self, name: str) -> None:
        """After a navigation: measure its load time, check accessibility, screenshot."""
        self.page.wait_for_load_state("load")
        self.ui.timings[name] = round(float(self.page.evaluate(LOAD_TIME) or 0.0), 1)
        assert self.page.evaluate(ACCESSIBILITY_CHECK) == [], name
        self.page.screenshot(path=str(self.ui.artifacts / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Any, ui: Ui) -> Iterator[Tab]:
    page = browser.new_page()
    state = Tab(page=page, ui=ui)
    # Requests that went out and got an answer: the browser reports the ones a CSP
    # blocks too, but as failed ("csp"), and those never reach the network.
    page.on("requestfinished", lambda request: state.requests.append(request.url))
    page.on("requestfailed", lambda request: state.failed.append((request.url, request.failure)))
    page.on("response", lambda response: state.responses.update({response.url: response.headers}))
    ui.recorder.paths.clear()
    try:
        yield state
    finally:
        page.close()


def hostile_requests(tab: Tab) -> list[str]:
    seen = [url for url in tab.requests if PWNED in url or "blocked-image" in url]
    return seen + [
        path for path in tab.ui.recorder.paths if PWNED in path or "blocked-image" in path
    ]


# ---------------------------------------------------------------- the flows


def test_search_from_the_box(tab: Tab) -> None:
    tab.open("/", "home")
    tab.page.get_by_label("Search words").fill("xiaomi")
    tab.page.get_by_label("Search words").press("Enter")
    tab.page.wait_for_url("**/?q=xiaomi*")
    tab.loaded("search")
    first = tab.page.locator("li.hit").first
    assert first.locator("h3").inner_text() == XIAOMI
    assert first.locator(".snippet mark").first.inner_text().lower() == "xiaomi"
    assert first.get_by_role("img", name="Rated 5 out of 5").count() == 1


def test_filter_by_author_and_rating(tab: Tab) -> None:
    tab.open("/", "filters")
    tab.page.get_by_label("Author").fill("Hosne")
    tab.page.get_by_role("button", name="Search").click()
    tab.page.wait_for_url("**author=Hosne*")
    authors = tab.page.locator("li.hit .author").all_inner_texts()
    assert authors == ["Hosne"] * 4
    tab.page.get_by_label("Rating").select_option("5/5")
    tab.page.get_by_role("button", name="Search").click()
    tab.page.wait_for_url("**min_rating=5%2F5*")
    tab.loaded("search-filtered")
    assert tab.page.locator("li.hit h3").all_inner_texts() == [XIAOMI]


def test_filter_by_kind(browser: Any, kinds_ui: Ui) -> None:
    tab = Tab(page=browser.new_page(), ui=kinds_ui)
    hit_urls = tab.page.locator("li.hit .url")
    try:
        tab.open("/", "kinds-latest")
        assert tab.page.locator("#results-heading").inner_text() == "Latest posts"
        assert hit_urls.all_inner_texts() == [POST_URL]
        tab.page.get_by_label("Show", exact=True).select_option("Pages")
        tab.page.get_by_role("button", name="Search").click()
        tab.page.wait_for_url("**kind=page*")
        tab.loaded("kinds-pages")
        assert tab.page.locator("#results-heading").inner_text() == "Latest pages"
        assert hit_urls.all_inner_texts() == [PAGE_URL]
        assert tab.page.locator("li.hit .kind").all_inner_texts() == ["page"]
        tab.page.get_by_label("Search words").fill("notes")
        tab.page.get_by_label("Show", exact=True).select_option("Posts and pages")
        tab.page.get_by_role("button", name="Search").click()
        tab.page.wait_for_url("**q=notes&kind=all*")
        tab.loaded("kinds-all")
        assert sorted(hit_urls.all_inner_texts()) == sorted([PAGE_URL, POST_URL])
    finally:
        tab.page.close()


def test_paginate(tab: Tab) -> None:
    tab.open("/", "latest")
    assert tab.page.locator("li.hit").count() == 10
    tab.page.get_by_role("link", name="Next →").click()
    tab.page.wait_for_url("**page=2")
    assert tab.page.locator("li.hit").count() == 2


def test_open_a_post_and_its_capture(tab: Tab) -> None:
    tab.open("/?q=xiaomi", "search-xiaomi")
    tab.page.get_by_role("link", name=XIAOMI).click()
    tab.page.wait_for_url("**/posts/*")
    tab.loaded("post")
    assert tab.page.locator("h1").inner_text() == XIAOMI
    assert "By Hosne" in tab.page.locator(".post .meta").inner_text()
    rows = tab.page.locator("table.captures tbody tr")
    assert rows.count() == 2
    assert "new version 1" in rows.nth(0).inner_text()
    assert "revisit (not modified)" in rows.nth(1).inner_text()
    tab.page.get_by_text("Show the archived item").click()
    assert '"title": "Why Xiaomi' in tab.page.locator("pre.item").inner_text()
    rows.nth(0).get_by_role("link").click()
    tab.page.wait_for_url("**/captures/**")
    tab.loaded("capture")
    frame = tab.page.frame_locator("iframe.capture")
    assert frame.get_by_role("heading", name=XIAOMI).count() >= 1


def test_archived_script_does_not_run_in_the_capture_view(tab: Tab, archived: WebArchive) -> None:
    link = _first_capture(tab, archived.url(HOSTILE))
    tab.open(link, "capture-hostile")
    frame = tab.page.locator("iframe.capture")
    assert frame.get_attribute("sandbox") == ""
    tab.page.frame_locator("iframe.capture").locator("#outside-link").wait_for()
    tab.page.wait_for_timeout(300)  # time for the page's code to run, if it could
    assert tab.page.title().startswith("Capture of ")
    assert tab.page.evaluate("() => window.name") == ""
    assert hostile_requests(tab) == []
    # Its image was never archived (the blog answered 404): the capture names it nowhere a
    # browser would load it from, the UI (which the policy now allows images from) included.
    assert not [url for url, _ in tab.failed if "blocked-image" in url]
    hostile_img = tab.page.frame_locator("iframe.capture").locator("#hostile-img")
    assert hostile_img.get_attribute("src") is None
    assert hostile_img.get_attribute("data-archived-src") == "/blocked-image.png"
    raw = tab.ui.url + link + "/raw"
    headers = tab.responses[raw]
    assert "sandbox" in headers["content-security-policy"].split("; ")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    outside = tab.page.frame_locator("iframe.capture").locator("#outside-link")
    assert outside.get_attribute("href") is None
    assert outside.get_attribute("data-archived-href") == "https://example.invalid/elsewhere"


def test_capture_view_shows_the_archived_image_from_the_archive(
    tab: Tab, archived: WebArchive
) -> None:
    """Page requisites (issue 16): the post's image, archived with it, shows in the
    sandboxed capture view, loaded from the UI's capture of it and nowhere else."""
    link = _first_capture(tab, archived.url(EDITED))
    tab.open(link, "capture-with-image")
    frame = tab.page.frame_locator("iframe.capture")
    image = frame.get_by_role("img", name="Keychron K2 on a desk")
    image.wait_for()
    src = image.get_attribute("src") or ""
    assert src.startswith("/captures/")
    assert src.endswith("/raw")
    # The page's load event waited for the frame's, which waited for its images.
    loaded = image.evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 1  # the fixture's 1x1 PNG, decoded
    assert tab.ui.url + src in tab.requests
    assert all(url.startswith((tab.ui.url, "data:")) for url in tab.requests)
    assert tab.failed == []


def test_archived_script_does_not_run_when_the_capture_is_opened_alone(
    tab: Tab, archived: WebArchive
) -> None:
    link = _first_capture(tab, archived.url(HOSTILE)) + "/raw"
    tab.page.goto(tab.ui.url + link)
    tab.page.wait_for_load_state("load")
    tab.page.wait_for_timeout(300)
    assert HOSTILE in tab.page.title()
    assert hostile_requests(tab) == []


def test_the_detection_works_without_the_protection(tab: Tab, archived: WebArchive) -> None:
    """Control: the same archived bytes served without the CSP and sandbox do run."""
    link = _first_capture(tab, archived.url(HOSTILE)) + "/raw"
    with urllib.request.urlopen(tab.ui.url + link) as response:
        body = response.read()
    tab.page.route(
        "**/control-unsafe",
        lambda route: route.fulfill(body=body, content_type="text/html; charset=utf-8"),
    )
    tab.page.goto(tab.ui.url + "/control-unsafe")
    tab.page.wait_for_function("() => document.title === 'PWNED'", timeout=5000)
    tab.page.wait_for_timeout(300)
    assert any(PWNED in url for url in tab.requests)


def test_stats_page_shows_the_site_and_a_chart(tab: Tab) -> None:
    tab.open("/stats", "stats")
    sites = tab.page.locator("#sites-heading + table")
    assert "127.0.0.1" in sites.inner_text()
    chart = tab.page.get_by_role("img", name="Posts published per month and site, 7 months")
    assert chart.locator("rect").count() == 7
    assert tab.page.locator("#runs-heading ~ table tbody tr").count() == 2


def test_versions_of_an_edited_post(tab: Tab, archived: WebArchive) -> None:
    tab.open(f"/posts/{post_id(archived.url(EDITED))}", "post-versions")
    assert tab.page.locator("h1").inner_text() == f"{EDITED} (updated)"
    tab.page.get_by_role("link", name="Version 1").click()
    tab.page.wait_for_url("**version=1")
    assert tab.page.locator("h1").inner_text() == EDITED


def test_error_page(tab: Tab) -> None:
    response = tab.page.goto(tab.ui.url + "/posts/unknown")
    assert response is not None
    assert response.status == 404
    tab.loaded("not-found")


def test_json_api_from_the_real_server(ui: Ui, archived: WebArchive) -> None:
    from openapi_spec_validator import validate

    hits = _json(ui, "/api/search?q=xiaomi")
    assert hits[0]["title"] == XIAOMI
    assert set(hits[0]) >= {
        "url",
        "title",
        "author",
        "published",
        "rating",
        "site",
        "snippet",
        "score",
    }
    post = _json(ui, f"/api/posts/{hits[0]['id']}")
    assert post["item"]["url"] == archived.url(XIAOMI)
    assert len(_json(ui, "/api/runs")) == 2
    validate(_json(ui, "/api/openapi.json"))


# ---------------------------------------------------------------- helpers


def _first_capture(tab: Tab, url: str) -> str:
    captures = _json(tab.ui, f"/api/posts/{post_id(url)}")["captures"]
    return str(captures[0]["view"])


def _json(ui: Ui, path: str) -> Any:
    with urllib.request.urlopen(ui.url + path) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        return json.loads(response.read())
