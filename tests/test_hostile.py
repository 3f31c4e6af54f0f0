"""The hostile blog (tests/hostile): one real crawl, then what it archived and what it refused.

``blogarchive crawl --url`` runs once per module in a subprocess against a server that
stalls, trickles, resets, fails, redirects forever, serves 20 MB pages, a gzip bomb,
broken encodings, markup, feeds and sitemaps, and endless calendars, next to good posts.
Short waits come in through ``-s`` (DOWNLOAD_TIMEOUT=3, POLITENESS_MAX_DELAY=2); every
other limit is the project default. blogarchive never runs a page's JavaScript: pages are
parsed as markup, and script-only links are never fetched.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import settings as project
from tests.conftest import LOOPBACK, read_items, run_cli
from tests.hostile import serve_hostile
from tests.hostile.site import (
    BAD_HREF,
    CALENDAR_START,
    CANONICAL_COPY,
    CP1252,
    DUPLICATED,
    ENDLESS_START,
    FAULTS,
    FLAKY,
    GOOD,
    HUGE_BYTES,
    RETRIED,
    SCRIPT_ONLY,
)
from tests.support.checkers import assert_warcs_pass_checkers

PATTERN_CAP = 60
CRAWL_ARGS = [
    *("-s", "DOWNLOAD_TIMEOUT=3"),
    *("-s", f"TRAP_MAX_PAGES_PER_PATTERN={PATTERN_CAP}"),
    *("-s", "POLITENESS_MAX_DELAY=2"),  # the 429's Retry-After: 3600 holds the host 2 s, not 60
]
BOUND_SECONDS = 180
_STAT = re.compile(r"^\s*'([^']+)': (\d+),?$")


@dataclass
class HostileCrawl:
    base: str
    data_dir: Path
    result: subprocess.CompletedProcess[str]
    seconds: float
    requests: list[tuple[str, str, str]]

    @property
    def items(self) -> list[dict[str, Any]]:
        return read_items(self.data_dir)

    @property
    def targets(self) -> Counter[str]:
        return Counter(target for _, target, _ in self.requests)

    @property
    def stats(self) -> dict[str, int]:
        """The integer stats Scrapy dumps at the end of the crawl (LOG_LEVEL=INFO)."""
        return {m[1]: int(m[2]) for m in map(_STAT.match, self.result.stderr.splitlines()) if m}

    def items_by_url(self) -> dict[str, dict[str, Any]]:
        return {item["url"]: item for item in self.items}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> HostileCrawl:
    data_dir = tmp_path_factory.mktemp("hostile")
    with serve_hostile() as (server, _site):
        started = time.monotonic()
        result = run_cli(
            "crawl",
            "--url",
            server.url + "/",
            "--data-dir",
            str(data_dir),
            *LOOPBACK,
            *CRAWL_ARGS,
            "-s",
            "LOG_LEVEL=INFO",
            timeout=BOUND_SECONDS,
        )
        seconds = time.monotonic() - started
        return HostileCrawl(server.url, data_dir, result, seconds, server.requests)


def test_defaults_bound_time_size_and_redirects() -> None:
    assert project.DOWNLOAD_TIMEOUT == 30
    assert project.DOWNLOAD_MAXSIZE == 16 * 1024 * 1024 < HUGE_BYTES
    assert project.DOWNLOAD_WARNSIZE < project.DOWNLOAD_MAXSIZE
    assert project.DOWNLOAD_FAIL_ON_DATALOSS is True
    assert project.REDIRECT_MAX_TIMES == 10
    assert project.RETRY_TIMES == 2


def test_crawl_ends_in_bounded_time_with_a_summary(crawl: HostileCrawl) -> None:
    assert crawl.seconds < BOUND_SECONDS
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]
    summary = crawl.result.stdout.splitlines()[0]
    assert re.match(
        r"127\.0\.0\.1-\d+: done: \d+ pages, \d+ assets, \d+ posts.* [1-9]\d* errors", summary
    )
    assert "Traceback" not in crawl.result.stderr


def test_every_good_post_is_archived_once(crawl: HostileCrawl) -> None:
    items = crawl.items
    identities = Counter(item["canonical_url"] or item["url"] for item in items)
    assert {url: n for url, n in identities.items() if n > 1} == {}
    assert set(identities) == {crawl.base + post.path for post in GOOD}


@pytest.mark.parametrize("post", GOOD, ids=lambda p: p.path)
def test_good_posts_are_parsed_and_decoded(crawl: HostileCrawl, post: Any) -> None:
    item = next(
        i for i in crawl.items if (i["canonical_url"] or i["url"]) == crawl.base + post.path
    )
    assert (item["title"], item["body"], item["authors"]) == (post.title, post.body, [post.author])


def test_cp1252_declared_as_utf8_is_decoded(crawl: HostileCrawl) -> None:
    item = crawl.items_by_url()[crawl.base + CP1252.path]
    assert (item["title"], item["body"]) == (CP1252.title, CP1252.body)


def test_cp1252_declared_as_utf8_is_archived_without_failing(crawl: HostileCrawl) -> None:
    item = crawl.items_by_url()[crawl.base + CP1252.path]
    assert item["title"].startswith("Caf")
    assert item["body"]


def test_nothing_but_posts_becomes_an_item(crawl: HostileCrawl) -> None:
    allowed = {crawl.base + p.path for p in GOOD} | {crawl.base + CANONICAL_COPY}
    assert {item["url"] for item in crawl.items} <= allowed


def test_failures_are_retried_as_configured_then_given_up(crawl: HostileCrawl) -> None:
    tries = project.RETRY_TIMES + 1
    assert {name: crawl.targets[FAULTS[name]] for name in RETRIED} == dict.fromkeys(RETRIED, tries)
    assert crawl.stats["retry/max_reached"] == len(RETRIED)
    assert crawl.targets[FLAKY.path] == 2  # a 503, then the post: archived


def test_failures_are_counted_as_errors(crawl: HostileCrawl) -> None:
    stats = crawl.stats
    prefix = "downloader/exception_type_count/scrapy.exceptions."
    assert stats[prefix + "DownloadTimeoutError"] == 2 * (project.RETRY_TIMES + 1)
    assert stats[prefix + "ResponseDataLossError"] == project.RETRY_TIMES + 1
    assert stats[prefix + "DownloadCancelledError"] == 2  # the two 20 MB pages
    for status in (429, 500, 502, 503):
        assert stats[f"httperror/response_ignored_status_count/{status}"] == 1
    errors = int(re.search(r"(\d+) errors", crawl.result.stdout)[1])  # type: ignore[index]
    assert errors >= stats["downloader/exception_count"] + stats["httperror/response_ignored_count"]


def test_retry_after_is_capped_and_the_429_given_up(crawl: HostileCrawl) -> None:
    # Retry-After: 3600 holds the host at most POLITENESS_MAX_DELAY; then retried, then dropped.
    assert crawl.targets[FAULTS["rate-limited"]] == project.RETRY_TIMES + 1
    assert crawl.seconds < BOUND_SECONDS


def test_size_limits_stop_the_huge_pages_and_the_bomb(crawl: HostileCrawl) -> None:
    for name in ("huge", "huge-unsized", "bomb"):
        assert crawl.targets[FAULTS[name]] == 1, name  # refused once, not retried
    assert "larger than download max size" in crawl.result.stderr
    assert "exceeded DOWNLOAD_MAXSIZE" in crawl.result.stderr  # the bomb, while inflating
    assert crawl.stats.get("httpcompression/response_bytes", 0) < project.DOWNLOAD_MAXSIZE


def test_duplicate_urls_are_fetched_once(crawl: HostileCrawl) -> None:
    asked = [t for t in crawl.targets.elements() if t.startswith(DUPLICATED.path)]
    assert asked == [DUPLICATED.path]


def test_rel_canonical_copy_is_not_a_second_post(crawl: HostileCrawl) -> None:
    canonical = crawl.base + DUPLICATED.path
    assert [i["canonical_url"] for i in crawl.items].count(canonical) == 1
    assert crawl.targets[CANONICAL_COPY] == 1


def test_a_post_is_archived_under_its_canonical_url(crawl: HostileCrawl) -> None:
    assert crawl.base + DUPLICATED.path in crawl.items_by_url()
    assert crawl.base + CANONICAL_COPY not in crawl.items_by_url()


def test_trap_detection_stops_the_calendar_and_the_endless_archive(crawl: HostileCrawl) -> None:
    months = [t for t in crawl.targets if t.startswith("/calendar/")]
    last_year = datetime.now(UTC).year + project.TRAP_MAX_FUTURE_YEARS
    assert CALENDAR_START in months
    assert max(int(t.split("/")[2]) for t in months) == last_year
    assert len(months) == (last_year - 2024 + 1) * 12
    assert crawl.stats["blogarchive/traps/date_range"] >= 1
    pages = [t for t in crawl.targets if t.startswith("/archive?page=")]
    assert ENDLESS_START in pages
    assert len(pages) == PATTERN_CAP + 1
    assert crawl.stats["blogarchive/traps/pattern"] >= 1


def test_redirects_are_capped_and_loops_end(crawl: HostileCrawl) -> None:
    hops = [t for t in crawl.targets if t.startswith("/hop/")]
    assert len(hops) == project.REDIRECT_MAX_TIMES
    assert crawl.targets[FAULTS["redirect-loop"]] <= 2
    assert crawl.targets["/2024/06/redirect-loop-b.html"] <= 2


def test_only_http_and_https_on_the_blog_host_are_fetched(crawl: HostileCrawl) -> None:
    host = crawl.base.removeprefix("http://")
    assert {h for _, _, h in crawl.requests} == {host}  # nothing via "localhost"
    assert crawl.stats["offsite/filtered"] >= 1  # the redirect to localhost
    assert "/pub/x.html" not in crawl.targets  # ftp:// redirect target
    assert "/2019/01/ftp-post.html" not in crawl.targets
    assert "/2019/01/x.html" not in crawl.targets  # an offsite link
    assert crawl.stats["httperror/response_ignored_status_count/302"] == 2  # ftp:, file:


def test_page_scripts_are_never_run(crawl: HostileCrawl) -> None:
    assert [t for t in SCRIPT_ONLY if t in crawl.targets] == []


def test_a_bad_link_does_not_lose_its_page(crawl: HostileCrawl) -> None:
    assert crawl.base + BAD_HREF.path in crawl.items_by_url()


def warc_responses(crawl: HostileCrawl) -> list[tuple[Any, bytes]]:
    found = []
    for path in sorted((crawl.data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    found.append((record, record.raw_stream.read()))
    return found


def test_archive_verifies_after_the_hostile_crawl(crawl: HostileCrawl) -> None:
    result = run_cli("verify", "--data-dir", str(crawl.data_dir))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("verify: ok")


def test_warc_passes_warcio_and_fastwarc_check(crawl: HostileCrawl) -> None:
    assert list((crawl.data_dir / "warc").glob("*.open")) == []
    assert_warcs_pass_checkers(sorted((crawl.data_dir / "warc").glob("*.warc.gz")))


def test_warc_has_no_partial_response(crawl: HostileCrawl) -> None:
    responses = warc_responses(crawl)
    assert responses
    for record, payload in responses:
        declared = record.http_headers.get_header("Content-Length")
        if declared is not None:
            url = record.rec_headers.get_header("WARC-Target-URI")
            assert int(declared) == len(payload), url
    archived = {r.rec_headers.get_header("WARC-Target-URI") for r, _ in responses}
    failed = ("timeout", "slow", "reset", "huge", "huge-unsized")
    assert archived.isdisjoint(crawl.base + FAULTS[name] for name in failed)
    assert crawl.base + FAULTS["bomb"] in archived  # whole, as sent: gzip, never inflated
