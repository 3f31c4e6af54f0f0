"""BlogSpider routes canned responses: one parse per page, probes from the platform registry,
copies sent to their canonical address."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archive.records import PostRecord
from crawler.parsers import FEED_PROBES, SITEMAP_PROBES
from crawler.spiders.blog import BlogSpider
from tests.parses import count_parses

HOME = "https://blog.example/"
PROSE = "<p>" + "A sentence of the post's own prose, long enough to be read as text. " * 8 + "</p>"
TEASERS = "".join(
    f"<article><h2><a href='/2021/03/post-{n}/'>Post {n}</a></h2><p>A first line.</p></article>"
    for n in range(1, 6)
)
HOME_PAGE = (
    "<html><head><title>Blog</title>"
    "<link rel='alternate' type='application/rss+xml' href='/custom.rss'></head>"
    f"<body><nav><a href='/about/'>About</a></nav><main>{TEASERS}</main></body></html>"
)


def _post(canonical: str = "") -> str:
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    return (
        f"<html><head><title>A post</title>{link}</head><body><article><h1>A post</h1>"
        f"<time datetime='2021-03-01'>March 1, 2021</time>{PROSE}"
        "<a href='/2021/02/older/'>older</a></article></body></html>"
    )


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_parses(monkeypatch.setattr)


@pytest.fixture
def spider() -> BlogSpider:
    spider = BlogSpider(url=HOME)
    spider._set_crawler(get_crawler(BlogSpider))
    return spider


def _response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))


def _urls(found: Iterable[object], kind: str) -> list[str]:
    return [r.url for r in found if isinstance(r, Request) and r.meta["kind"] == kind]


def test_the_home_page_is_parsed_once_for_platform_probes_links_and_kind(
    spider: BlogSpider, parses: list[str]
) -> None:
    found = list(spider.parse_home(_response(HOME, HOME_PAGE)))
    assert parses == ["make_soup"]
    assert spider.platform == "generic"
    advertised = [urljoin(HOME, "/custom.rss")]
    assert _urls(found, "feed") == advertised + [urljoin(HOME, p) for p in FEED_PROBES]
    assert _urls(found, "sitemap") == [urljoin(HOME, p) for p in SITEMAP_PROBES]
    assert not [each for each in found if isinstance(each, PostRecord)]  # a listing
    # Its links wait for the probes' answers.
    assert {urljoin(HOME, f"/2021/03/post-{n}/") for n in range(1, 6)} <= {
        r.url for r in spider._held
    }


def test_a_post_is_parsed_once_for_its_links_and_its_item(
    spider: BlogSpider, parses: list[str]
) -> None:
    url = urljoin(HOME, "/2021/03/post-1/")
    found = list(spider.parse_page(_response(url, _post(canonical=url))))
    assert parses == ["make_soup"]
    items = [each for each in found if isinstance(each, PostRecord)]
    assert [(item.url, item.kind, item.title) for item in items] == [(url, "post", "A post")]
    assert _urls(found, "post") == [urljoin(HOME, "/2021/02/older/")]


def test_a_copy_is_archived_at_its_canonical_address(spider: BlogSpider) -> None:
    url = urljoin(HOME, "/print/post-1/")
    canonical = urljoin(HOME, "/2021/03/post-1/")
    found = list(spider.parse_page(_response(url, _post(canonical="/2021/03/post-1/"))))
    assert not [each for each in found if isinstance(each, PostRecord)]
    assert canonical in _urls(found, "post")
    assert spider.crawler.stats.get_value("blogarchive/pages/canonical_elsewhere") == 1


@pytest.mark.parametrize(
    "canonical",
    ["https://elsewhere.example/a-post/", "http://BLOG.example/print/post-1/"],
    ids=["another-site", "same-address"],
)
def test_a_canonical_off_site_or_the_page_itself_keeps_the_item(
    spider: BlogSpider, canonical: str
) -> None:
    url = urljoin(HOME, "/print/post-1/")
    found = list(spider.parse_page(_response(url, _post(canonical=canonical))))
    assert [each.url for each in found if isinstance(each, PostRecord)] == [url]
