"""Trap detection (crawler/traps.py): rules, settings and the middleware on a real crawler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.traps import TrapDetectionMiddleware, TrapRules, trap_reason, url_pattern

RULES = TrapRules()
YEAR = 2026
H = "http://blog.example"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"{H}/2019/03/post.html", None),
        (f"{H}/2016/01/02/slug/", None),
        (f"{H}/2016/01/01/slug/", None),
        (f"{H}/search?updated-max=2019-03-01T10:00:00-08:00&max-results=7", None),
        (f"{H}/?m=201903", None),
        (f"{H}/calendar/2027/12/", None),
        (f"{H}/posts/2999/", None),
        (f"{H}/p/2999-predictions.html", None),
        (f"{H}/calendar/2028/01/", "date_range"),
        (f"{H}/calendar/1989/12/", "date_range"),
        (f"{H}/events?month=2031-02", "date_range"),
        (f"{H}/?m=203102", "date_range"),
        (f"{H}/search?updated-max=2999-01-01T00:00:00Z", "date_range"),
        (f"{H}/a/b/a/b/a/b/", None),
        (f"{H}/a/b/a/b/a/b/a/", "path_repeats"),
        (f"{H}/" + "/".join(f"s{i}" for i in range(12)) + "/", None),
        (f"{H}/" + "/".join(f"s{i}" for i in range(13)) + "/", "path_depth"),
    ],
)
def test_trap_reason(url: str, reason: str | None) -> None:
    assert trap_reason(url, RULES, YEAR) == reason


def test_url_pattern_masks_digits() -> None:
    assert url_pattern(f"{H}/calendar/2024/01/") == "blog.example/calendar/#/#/"
    assert url_pattern(f"{H}/archive?page=12") == url_pattern(f"{H}/archive?page=13")
    assert url_pattern(f"{H}/a.html") != url_pattern(f"{H}/b.html")


@pytest.fixture
def crawler() -> Crawler:
    settings = {"TRAP_MAX_PAGES_PER_PATTERN": 3}
    return get_crawler(Spider, {"TRAP_ENABLED": True, **settings})


@pytest.fixture
def mw(crawler: Crawler) -> TrapDetectionMiddleware:
    return build_from_crawler(TrapDetectionMiddleware, crawler)


def page(url: str) -> HtmlResponse:
    return HtmlResponse(url, body=b"<html></html>", request=Request(url))


def test_settings_become_rules(mw: TrapDetectionMiddleware) -> None:
    assert mw.rules == TrapRules(max_pages_per_pattern=3)
    assert mw.this_year == datetime.now(UTC).year


def test_disabled_raises_not_configured() -> None:
    with pytest.raises(NotConfigured, match="TRAP_ENABLED"):
        build_from_crawler(TrapDetectionMiddleware, get_crawler(Spider, {"TRAP_ENABLED": False}))


@pytest.mark.parametrize(
    ("name", "value"),
    [("TRAP_MAX_PATH_DEPTH", 0), ("TRAP_MAX_PAGES_PER_PATTERN", -1), ("TRAP_MAX_FUTURE_YEARS", -1)],
)
def test_bad_limit_raises_not_configured_naming_it(name: str, value: int) -> None:
    crawler = get_crawler(Spider, {"TRAP_ENABLED": True, name: value})
    with pytest.raises(NotConfigured, match=f"{name} \\({value}\\)"):
        build_from_crawler(TrapDetectionMiddleware, crawler)


def test_project_settings_enable_it() -> None:
    from crawler import settings

    assert settings.TRAP_ENABLED
    assert "crawler.traps.TrapDetectionMiddleware" in settings.SPIDER_MIDDLEWARES


def test_start_requests_always_pass(mw: TrapDetectionMiddleware) -> None:
    request = Request(f"{H}/a/a/a/a/a/")
    assert mw.get_processed_request(request, None) is request


def test_trap_request_is_dropped_and_counted(mw: TrapDetectionMiddleware, crawler: Crawler) -> None:
    source = page(f"{H}/calendar/2027/12/")
    assert mw.get_processed_request(Request(f"{H}/calendar/2028/01/"), source) is None
    assert mw.get_processed_request(Request(f"{H}/2019/03/x.html"), source) is not None
    assert crawler.stats is not None
    assert crawler.stats.get_value("blogarchive/traps/date_range") == 1


def test_a_chain_of_one_pattern_is_cut_after_the_limit(
    mw: TrapDetectionMiddleware, crawler: Crawler
) -> None:
    kept = []
    for n in range(1, 8):
        request = Request(f"{H}/archive?page={n + 1}")
        kept.append(mw.get_processed_request(request, page(f"{H}/archive?page={n}")) is not None)
    assert kept == [True, True, True, False, False, False, False]
    assert crawler.stats is not None
    assert crawler.stats.get_value("blogarchive/traps/pattern") == 4


def test_links_to_other_patterns_are_not_counted(mw: TrapDetectionMiddleware) -> None:
    sitemap = page(f"{H}/sitemap.xml?page=1")
    for n in range(10):
        assert mw.get_processed_request(Request(f"{H}/?p={n}"), sitemap) is not None


def test_process_spider_output_filters_requests_and_passes_items(
    mw: TrapDetectionMiddleware,
) -> None:
    source = page(f"{H}/calendar/2027/12/")
    out = list(
        mw.process_spider_output(
            source, [Request(f"{H}/calendar/2028/01/"), {"item": 1}, Request(f"{H}/x.html")]
        )
    )
    assert [o.url if isinstance(o, Request) else o for o in out] == [{"item": 1}, f"{H}/x.html"]
