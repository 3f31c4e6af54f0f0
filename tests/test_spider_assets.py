"""The blog spider's page requisites (issue 16) on canned responses: requests, budget,
once per crawl, stylesheets' images, robots.txt of other hosts, content types."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, HtmlResponse, TextResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from archive.records import ImageRef, PostRecord
from crawler.config import parse_site
from crawler.spiders.assets import ASSET_PRIORITY, AssetRobotsMiddleware
from crawler.spiders.blog import BlogSpider

HOME = "https://blog.example/"
PROSE = "<p>" + "A sentence of the post's own prose, long enough to be read as text. " * 8 + "</p>"
CDN = "https://cdn.example.net/"


def _post(n: int) -> str:
    return (
        "<html><head><title>A post</title><link rel='stylesheet' href='/theme.css'>"
        "<link rel='icon' href='/icon.png'></head><body><article><h1>A post</h1>"
        f"<time datetime='2021-03-01'>March 1, 2021</time>{PROSE}"
        f"<img src='{CDN}{n}/a.png' alt='First'>"
        f"<img src='data:image/gif;base64,R0l=' data-src='{CDN}{n}/b.png' alt='Second'>"
        "</article><aside class='sidebar'><img src='/ad.png'></aside></body></html>"
    )


def _spider(**settings: Any) -> BlogSpider:
    crawler = get_crawler(
        BlogSpider, {"ASSETS_ENABLED": True, "ASSETS_MAX_BYTES": 1234, **settings}
    )
    spider = BlogSpider(url=HOME)
    spider._set_crawler(crawler)
    spider.setup_assets(crawler.settings)
    return spider


def _parse(spider: BlogSpider, n: int) -> list[Any]:
    url = f"{HOME}2021/03/post-{n}/"
    response = HtmlResponse(url, body=_post(n).encode(), encoding="utf-8", request=Request(url))
    return list(spider.parse_page(response))


def _assets(found: list[Any]) -> list[Request]:
    return [r for r in found if isinstance(r, Request) and r.meta["kind"] == "asset"]


def test_a_post_asks_for_its_requisites_from_any_host_and_lists_its_images() -> None:
    spider = _spider()
    found = _parse(spider, 1)
    assets = _assets(found)
    assert [r.url for r in assets] == [
        f"{CDN}1/a.png",
        f"{CDN}1/b.png",
        f"{HOME}theme.css",
        f"{HOME}icon.png",
    ]
    for request in assets:
        assert request.priority == ASSET_PRIORITY
        assert request.meta["allow_offsite"]
        assert request.meta["conditional"]
        assert request.meta["download_maxsize"] == 1234
        assert request.callback == spider.parse_asset
    (post,) = [p for p in found if isinstance(p, PostRecord)]
    assert post.images == [
        ImageRef(url=f"{CDN}1/a.png", alt="First"),
        ImageRef(url=f"{CDN}1/b.png", alt="Second"),
    ]


def test_shared_theme_files_are_asked_once_and_the_budget_holds() -> None:
    spider = _spider(ASSETS_MAX_PER_CRAWL=6)
    _parse(spider, 1)
    second = [r.url for r in _assets(_parse(spider, 2))]
    assert second == [f"{CDN}2/a.png", f"{CDN}2/b.png"]  # the stylesheet and icon: known
    assert _assets(_parse(spider, 3)) == []  # 6 asked for: the budget is spent
    stats = spider.crawler.stats
    assert stats is not None
    assert stats.get_value("blogarchive/assets/scheduled") == 6
    assert stats.get_value("blogarchive/assets/over_budget") == 2


def test_assets_off_by_default_the_item_lists_no_images() -> None:
    spider = BlogSpider(url=HOME)
    spider._set_crawler(get_crawler(BlogSpider))
    spider.setup_assets(spider.crawler.settings)
    found = _parse(spider, 1)
    assert _assets(found) == []
    assert [p.images for p in found if isinstance(p, PostRecord)] == [[]]
    assert list(spider.asset_requests([f"{CDN}x.png"])) == []  # a resumed frontier's asset


def test_a_stylesheets_images_and_imports_are_assets_too() -> None:
    spider = _spider()
    css = (
        b"@import '/more.css'; body { background: url(img/bg.png) } @font-face { src: url(f.woff) }"
    )
    url = f"{HOME}theme/style.css"
    response = TextResponse(
        url, body=css, headers={"Content-Type": "text/css"}, request=Request(url)
    )
    assert [r.url for r in spider.parse_asset(response)] == [
        f"{HOME}more.css",
        f"{HOME}theme/img/bg.png",
    ]


def test_a_sites_asset_types_set_the_setting() -> None:
    site = parse_site({"name": "b", "url": HOME, "asset_types": ["image/", "video/"]}, where="t")
    settings = Settings({"ASSETS_TYPES": ["image/", "text/css"]})
    BlogSpider(site=site).apply_site_settings(settings)
    assert settings.getlist("ASSETS_TYPES") == ["image/", "video/"]
    BlogSpider(url=HOME).apply_site_settings(settings := Settings({"ASSETS_TYPES": ["image/"]}))
    assert settings.getlist("ASSETS_TYPES") == ["image/"]


def test_robots_txt_of_an_assets_host_passes_the_offsite_filter() -> None:
    middleware = AssetRobotsMiddleware(("image/", "text/css"))
    robots = Request(f"{CDN}robots.txt", meta={"dont_obey_robotstxt": True})
    middleware.process_request(robots)
    assert robots.meta["allow_offsite"] is True
    page = Request(f"{CDN}page.html")
    middleware.process_request(page)
    assert "allow_offsite" not in page.meta


@pytest.mark.parametrize(
    ("content_type", "kind", "stopped"),
    [
        (b"image/png", "asset", False),
        (b"text/css; charset=utf-8", "asset", False),
        (b"text/html; charset=utf-8", "asset", True),
        (b"video/mp4", "asset", True),
        (b"text/html", "post", False),
    ],
)
def test_assets_of_other_types_stop_at_their_headers(
    content_type: bytes, kind: str, stopped: bool
) -> None:
    middleware = AssetRobotsMiddleware(("image/", "text/css"))
    request = Request(f"{CDN}x", meta={"kind": kind})
    headers = Headers({"Content-Type": content_type})
    if stopped:
        with pytest.raises(StopDownload):
            middleware.headers_received(headers, 10, request, None)
    else:
        middleware.headers_received(headers, 10, request, None)
