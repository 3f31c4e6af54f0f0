"""The collector tuning of a crawl (``crawler.extensions.gctune``), through Scrapy's signals."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.extensions.gctune import GcExtension

ON = {"BLOGARCHIVE_GC_ENABLED": True, "BLOGARCHIVE_GC_THRESHOLD": 12_345}


@pytest.fixture(autouse=True)
def collector() -> Iterator[tuple[int, int, int]]:
    """The test process's collector, put back whatever a test leaves."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()


def started(settings: dict[str, object]) -> Crawler:
    # Only this extension listens: Scrapy's own start looping calls that need a reactor.
    crawler = get_crawler(Spider, {**settings, "EXTENSIONS_BASE": {}})
    # Signals hold their receivers weakly: the extension lives as long as its crawler.
    crawler.gc_extension = build_from_crawler(GcExtension, crawler)  # type: ignore[attr-defined]
    crawler.signals.send_catch_log(signals.engine_started)
    return crawler


def test_engine_start_freezes_and_raises_the_threshold(collector: tuple[int, int, int]) -> None:
    crawler = started(ON)
    assert gc.get_threshold() == (12_345, *collector[1:])
    assert gc.get_freeze_count() > 1000  # this process's modules, at least
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


def test_the_last_of_two_crawls_to_stop_restores(collector: tuple[int, int, int]) -> None:
    first, second = started(ON), started(ON)
    first.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold()[0] == 12_345
    second.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == collector


def test_a_disabled_collector_is_left_alone(collector: tuple[int, int, int]) -> None:
    gc.disable()
    try:
        crawler = started(ON)
        assert gc.get_threshold() == collector
        assert gc.get_freeze_count() == 0
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold() == collector
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "settings", [{**ON, "BLOGARCHIVE_GC_ENABLED": False}, {**ON, "BLOGARCHIVE_GC_THRESHOLD": 0}]
)
def test_off_or_invalid_raises_not_configured(settings: dict[str, object]) -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(GcExtension, get_crawler(Spider, settings))


def test_project_settings_enable_it() -> None:
    from crawler import settings

    assert settings.BLOGARCHIVE_GC_ENABLED
    assert "crawler.extensions.gctune.GcExtension" in settings.EXTENSIONS
