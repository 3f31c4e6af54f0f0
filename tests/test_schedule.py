"""``blogarchive schedule``: real scheduler process, real crawls over loopback HTTP, real SQLite.

One scheduler run (about 13 s) serves most tests: two fixture blogs on 2 s and 3 s
intervals, a site whose server is down, a slow site (robots.txt ``Crawl-delay``) that is
mid-crawl when SIGTERM comes, and a paused site. SIGTERM is sent once the two blogs have
each finished two runs (not after a fixed time: on a loaded machine crawls take longer).
"""

from __future__ import annotations

import itertools
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from warcio.archiveiterator import ArchiveIterator

from crawler.config import load_sites
from crawler.schedule import (
    JOB_FUNC,
    STORE_FILE,
    build_trigger,
    crontab_weekdays,
    make_scheduler,
    plan_jobs,
    sync_jobs,
)
from tests.conftest import ROOT, read_items, run_cli
from tests.sites import BlogServer, Resource, get_blog

POSTS = 10
ITEMS = POSTS + 1  # the run history counts every item: the posts and the blog's about page
RUN_SECONDS = 13.0
"""At least this long before SIGTERM; longer until alpha and beta have each run twice."""
MAX_RUN_SECONDS = 150.0
SLOW_POSTS = 60  # at one page a second, the slow site's one crawl outlasts the others' runs
STOP_TIMEOUT = 20.0
# Loopback needs no politeness; CONCURRENT_REQUESTS_PER_DOMAIN is left to the sites, so
# that "slow" fetches one page at a time and a graceful stop waits for one page only.
NO_DELAY = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
SLOW_ROBOTS = b"User-agent: *\nAllow: /\nCrawl-delay: 1\n"


@dataclass
class Scheduled:
    """The outcome of one scheduler run."""

    data_dir: Path
    config: Path
    urls: dict[str, str]
    expected_posts: set[str]
    returncode: int
    stop_seconds: float
    log: str
    busy: subprocess.CompletedProcess[str]
    runs: list[dict[str, Any]]

    def runs_of(self, site: str) -> list[dict[str, Any]]:
        return sorted((r for r in self.runs if r["site"] == site), key=lambda r: r["id"])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, urls: dict[str, str]) -> None:
    path.write_text(
        f"""
[[sites]]
name = "alpha"
url = "{urls["alpha"]}"
platform = "blogger"
schedule = "every 2s"

[[sites]]
name = "beta"
url = "{urls["beta"]}"
platform = "blogger"
schedule = "every 3s"

[[sites]]
name = "down"
url = "{urls["down"]}"
platform = "blogger"
schedule = "every 2s"

[[sites]]
name = "slow"
url = "{urls["slow"]}"
platform = "blogger"
schedule = "every 1h"
concurrency = 1

[[sites]]
name = "resting"
url = "{urls["alpha"]}"
platform = "blogger"
schedule = "every 1s"
paused = true
""",
        encoding="utf-8",
    )


def schedule_argv(config: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "schedule",
        "--config",
        str(config),
        "--data-dir",
        str(data_dir),
        *extra,
    ]


def wait_for_runs(data_dir: Path, started: float) -> None:
    """Until alpha and beta have each finished two runs, and at least ``RUN_SECONDS``
    after ``started`` (at most ``MAX_RUN_SECONDS``)."""
    while time.monotonic() - started < MAX_RUN_SECONDS:
        if time.monotonic() - started >= RUN_SECONDS and finished_twice(data_dir):
            return
        time.sleep(0.5)


def finished_twice(data_dir: Path) -> bool:
    path = data_dir / "history.sqlite3"
    if not path.exists():
        return False
    try:  # read-only: the scheduler makes the file and its tables
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(
                "SELECT site, count(*) FROM runs WHERE status = 'ok' GROUP BY site"
            ).fetchall()
    except sqlite3.Error:  # no table yet
        return False
    counts = dict(rows)
    return all(counts.get(site, 0) >= 2 for site in ("alpha", "beta"))


def list_runs(data_dir: Path) -> list[dict[str, Any]]:
    result = run_cli("runs", "--json", "--limit", "1000", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    runs: list[dict[str, Any]] = json.loads(result.stdout)
    return runs


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, BlogServer]]:
    started = {
        "alpha": BlogServer(get_blog("blogger", posts=POSTS, seed=11)).start(),
        "beta": BlogServer(get_blog("blogger", posts=POSTS, seed=12)).start(),
        "slow": BlogServer(get_blog("blogger", posts=SLOW_POSTS, seed=13)).start(),
    }
    started["slow"].update("/robots.txt", Resource(SLOW_ROBOTS, "text/plain; charset=UTF-8"))
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture(scope="module")
def scheduled(
    servers: dict[str, BlogServer], tmp_path_factory: pytest.TempPathFactory
) -> Scheduled:
    root = tmp_path_factory.mktemp("schedule")
    data_dir, config = root / "data", root / "sites.toml"
    urls = {name: server.url for name, server in servers.items()}
    urls["down"] = f"http://127.0.0.1:{closed_port()}/"
    write_config(config, urls)
    argv = schedule_argv(config, data_dir, *NO_DELAY, "--stop-timeout", str(STOP_TIMEOUT))
    log_path = root / "schedule.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            time.sleep(2)
            busy = subprocess.run(
                schedule_argv(config, data_dir),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            wait_for_runs(data_dir, started=time.monotonic() - 2)
            proc.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            returncode = proc.wait(timeout=STOP_TIMEOUT + 15)
            stop_seconds = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    expected = {
        entry["url"]
        for name in ("alpha", "beta")
        for entry in get_blog("blogger", posts=POSTS, seed=11 if name == "alpha" else 12).expected(
            urls[name]
        )
    }
    return Scheduled(
        data_dir=data_dir,
        config=config,
        urls=urls,
        expected_posts=expected,
        returncode=returncode,
        stop_seconds=stop_seconds,
        log=log_path.read_text(encoding="utf-8"),
        busy=busy,
        runs=list_runs(data_dir),
    )


def test_exits_0_on_sigterm_within_the_stop_timeout(scheduled: Scheduled) -> None:
    assert scheduled.returncode == 0, scheduled.log
    assert scheduled.stop_seconds < STOP_TIMEOUT, scheduled.log
    assert "SIGTERM received: stopping" in scheduled.log


def test_several_scheduled_runs_of_each_site(scheduled: Scheduled) -> None:
    assert {r["trigger"] for r in scheduled.runs} == {"schedule"}
    for site in ("alpha", "beta"):
        finished = [r for r in scheduled.runs_of(site) if r["status"] == "ok"]
        assert len(finished) >= 2, (site, scheduled.runs, scheduled.log)


def test_never_two_runs_of_one_site_at_once(scheduled: Scheduled) -> None:
    for site in ("alpha", "beta", "down", "slow"):
        runs = scheduled.runs_of(site)
        assert runs, site
        for before, after in itertools.pairwise(runs):
            assert before["ended"] is not None, (site, before)
            ended = datetime.fromisoformat(before["ended"])
            assert ended <= datetime.fromisoformat(after["started"]), (site, before, after)


def test_every_run_ended(scheduled: Scheduled) -> None:
    statuses = {r["status"] for r in scheduled.runs}
    assert statuses <= {"ok", "failed", "interrupted"}, scheduled.runs
    # Only a crawl killed outright (the SIGKILL after the grace period) has no end time.
    assert all(r["ended"] or r["status"] == "interrupted" for r in scheduled.runs)


def test_no_open_files_after_the_stop(scheduled: Scheduled) -> None:
    for sub in ("warc", "items"):
        assert not list((scheduled.data_dir / sub).glob("*.open")), scheduled.log
    assert list((scheduled.data_dir / "warc").glob("*.warc.gz"))


def test_sigterm_closes_a_running_crawl_gracefully(scheduled: Scheduled) -> None:
    (run,) = scheduled.runs_of("slow")
    assert run["status"] == "interrupted", (run, scheduled.log)
    assert run["reason"] == "shutdown"
    assert run["ended"]
    assert run["pages"] > 0
    assert run["bytes_written"] > 0
    assert "waiting up to 20 s for " in scheduled.log
    assert "killed" not in scheduled.log
    for path in (scheduled.data_dir / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            assert sum(1 for _ in ArchiveIterator(stream)) > 0, path


def test_first_run_archives_the_posts_and_later_runs_add_nothing(scheduled: Scheduled) -> None:
    for site in ("alpha", "beta"):
        first, *later = scheduled.runs_of(site)
        assert first["status"] == "ok"
        assert first["new_posts"] == ITEMS
        for run in later:
            assert (run["new_posts"], run["changed_posts"]) == (0, 0), run
        assert any(r["unchanged_posts"] == ITEMS for r in later), later
    items = [i for i in read_items(scheduled.data_dir) if i["url"] in scheduled.expected_posts]
    assert sorted(i["url"] for i in items) == sorted(scheduled.expected_posts)


def test_a_failed_run_is_recorded_and_the_scheduler_goes_on(scheduled: Scheduled) -> None:
    *failures, last = scheduled.runs_of("down")
    assert failures, scheduled.runs
    assert {r["status"] for r in failures} == {"failed"}
    assert last["status"] in ("failed", "interrupted")  # SIGTERM may stop the last one
    first_failure_end = datetime.fromisoformat(failures[0]["ended"])
    later_ok = [
        r
        for r in scheduled.runs
        if r["site"] in ("alpha", "beta")
        and r["status"] == "ok"
        and datetime.fromisoformat(r["started"]) >= first_failure_end
    ]
    assert later_ok, scheduled.runs
    assert "down: crawl failed (exit 1)" in scheduled.log
    assert "Connection refused" in scheduled.log


def test_paused_site_gets_no_job_and_no_run(scheduled: Scheduled) -> None:
    assert not scheduled.runs_of("resting")
    with sqlite3.connect(scheduled.data_dir / STORE_FILE) as db:
        jobs = {row[0] for row in db.execute("SELECT id FROM apscheduler_jobs")}
    assert jobs == {"alpha", "beta", "down", "slow"}


def test_a_second_scheduler_on_the_same_data_dir_is_refused(scheduled: Scheduled) -> None:
    assert scheduled.busy.returncode == 1
    assert "another scheduler is running" in scheduled.busy.stderr


def test_list_shows_each_job_and_its_next_run(scheduled: Scheduled) -> None:
    result = run_cli(
        "schedule",
        "--list",
        "--config",
        str(scheduled.config),
        "--data-dir",
        str(scheduled.data_dir),
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for site, interval in (("alpha", "0:00:02"), ("beta", "0:00:03")):
        assert f"interval {interval}" in rows[site]
        when = rows[site].split()[5]
        assert datetime.fromisoformat(when).tzinfo is not None
    assert rows["resting"].endswith("paused: no job")


def test_list_before_any_run_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "sites.toml"
    write_config(config, dict.fromkeys(("alpha", "beta", "down", "slow"), "http://127.0.0.1:9/"))
    data_dir = tmp_path / "data"
    result = run_cli("schedule", "--list", "--config", str(config), "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "alpha" in result.stdout
    assert "beta" in result.stdout
    assert "paused: no job" in result.stdout
    assert not data_dir.exists()


# -- in-process: triggers and job-store sync ---------------------------------------------


def test_every_6h_is_an_interval_trigger() -> None:
    trigger = build_trigger("every 6h")
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(hours=6)
    assert build_trigger("every 2s").interval == timedelta(seconds=2)
    assert build_trigger("every 3d").interval == timedelta(days=3)


def test_cron_expression_is_a_cron_trigger() -> None:
    trigger = build_trigger("30 3 * * *", UTC)
    assert isinstance(trigger, CronTrigger)
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("30", "3", "*")
    saturday = datetime(2024, 1, 6, 12, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, saturday) == datetime(2024, 1, 7, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("weekdays", "first_day"),
    [("1", "Mon"), ("0", "Sun"), ("1-5", "Mon"), ("sat", "Sat"), ("2/2", "Tue")],
)
def test_cron_weekdays_count_from_sunday_as_in_crontab(weekdays: str, first_day: str) -> None:
    trigger = build_trigger(f"0 3 * * {weekdays}", UTC)
    saturday_noon = datetime(2024, 1, 6, 12, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, saturday_noon).strftime("%a") == first_day


@pytest.mark.parametrize(
    ("field", "names"),
    [("1-5", "mon,tue,wed,thu,fri"), ("*/2", "sun,tue,thu,sat"), ("5-7", "sun,fri,sat")],
)
def test_crontab_weekdays(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names


def test_bad_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="every N"):
        build_trigger("every 6 hours")


def _sync(config: Path, data_dir: Path) -> tuple[Any, Any]:
    scheduler = make_scheduler(data_dir, max_workers=1)
    scheduler.start(paused=True)
    report = sync_jobs(scheduler, load_sites(config).values(), config, data_dir, ["A=1"])
    return scheduler, report


def test_sync_creates_persistent_jobs_with_the_misfire_policy(tmp_path: Path) -> None:
    config = tmp_path / "sites.toml"
    write_config(config, dict.fromkeys(("alpha", "beta", "down", "slow"), "http://127.0.0.1:9/"))
    scheduler, report = _sync(config, tmp_path)
    try:
        assert sorted(report.added) == ["alpha", "beta", "down", "slow"]
        job = scheduler.get_job("alpha")
        assert job.func_ref == JOB_FUNC
        assert list(job.args) == ["alpha", str(config.resolve()), str(tmp_path.resolve()), ["A=1"]]
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
        assert scheduler.get_job("resting") is None
    finally:
        scheduler.shutdown()


def test_restart_keeps_a_missed_run_due_and_drops_removed_sites(tmp_path: Path) -> None:
    config = tmp_path / "sites.toml"
    write_config(config, dict.fromkeys(("alpha", "beta", "down", "slow"), "http://127.0.0.1:9/"))
    scheduler, _ = _sync(config, tmp_path)
    missed = datetime.now(scheduler.timezone) - timedelta(hours=5)
    scheduler.modify_job("slow", next_run_time=missed)
    scheduler.shutdown()
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"every 3s"', '"every 3s"\npaused = true'), encoding="utf-8")
    assert load_sites(config)["beta"].paused
    scheduler, report = _sync(config, tmp_path)
    try:
        assert "slow" in report.kept
        assert report.removed == ["beta"]
        assert scheduler.get_job("slow").next_run_time == missed
    finally:
        scheduler.shutdown()
    plan = {job.site: job for job in plan_jobs(load_sites(config).values(), tmp_path)}
    assert plan["slow"].next_run == missed
    assert plan["slow"].note == "overdue: runs once at start"
    assert plan["beta"].note == "paused: no job"
