"""``blogarchive enqueue`` and ``worker``: real Redis, real RQ workers, real crawls.

A redis-server of our own runs on a free loopback port with persistence off, stopped by
its pid at the end. Each fixture blog listens on its own address (127.0.0.2 and up), so
each is its own host. Workers use 1 s heartbeat and maintenance intervals, so the job of
a killed worker is retried within seconds (about a minute with the default intervals).
Six blogs in two groups on two workers; a SIGKILLed worker; one site in two jobs at once;
refused duplicates; the scheduler enqueueing instead of crawling.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job, JobStatus
from warcio.archiveiterator import ArchiveIterator

from crawler.queue.enqueue import CrawlRequest, enqueue_group
from crawler.schedule import job_args, run_site
from tests.conftest import ROOT, free_port, read_items, run_cli
from tests.sites import Blog, BlogServer, get_blog

FAST = 1  # seconds: worker heartbeat and maintenance intervals
NO_THROTTLE = ["-s", "AUTOTHROTTLE_ENABLED=False"]
BLOGS = {  # name: (posts, seed, delay, concurrency); each on its own 127.0.0.x
    **{f"f{n}": (10, 31 + n, 0.1, 2) for n in range(6)},
    "slow": (12, 40, 0.3, 1),
}


@dataclass
class Site:
    name: str
    blog: Blog
    server: BlogServer
    delay: float
    concurrency: int

    @property
    def expected(self) -> set[str]:
        return {entry["url"] for entry in self.blog.expected(self.server.url)}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    directory = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [*argv, "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: _pings(url), 10, "redis-server to start")
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


def _pings(url: str) -> bool:
    try:
        with Redis.from_url(url) as redis:
            return bool(redis.ping())
    except RedisError:
        return False


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    with Redis.from_url(redis_url) as client:
        client.flushall()
        yield client


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, Site]]:
    started = {}
    for number, (name, (posts, seed, delay, concurrency)) in enumerate(BLOGS.items()):
        blog = get_blog("blogger", posts=posts, seed=seed)
        server = BlogServer(blog, host=f"127.0.0.{2 + number}").start()
        started[name] = Site(name, blog, server, delay, concurrency)
    yield started
    for site in started.values():
        site.server.stop()


def write_config(path: Path, sites: dict[str, Site]) -> Path:
    path.write_text(
        "".join(
            f'[[sites]]\nname = "{s.name}"\nurl = "{s.server.url}"\nplatform = "blogger"\n'
            f"delay = {s.delay}\nconcurrency = {s.concurrency}\n\n"
            for s in sites.values()
        ),
        encoding="utf-8",
    )
    return path


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Workers:
    """``blogarchive worker`` processes, logging to files; all stopped at the end."""

    def __init__(self, url: str, root: Path) -> None:
        self.url = url
        self.root = root
        self.procs: dict[str, subprocess.Popen[str]] = {}
        self._logs: list[IO[str]] = []

    def start(self, name: str, *extra: str) -> subprocess.Popen[str]:
        log = (self.root / f"{name}.log").open("w")
        self._logs.append(log)
        argv = [sys.executable, "-m", "crawler.cli", "worker", "--redis", self.url]
        fast = ["--monitor-interval", str(FAST), "--maintenance-interval", str(FAST)]
        proc = subprocess.Popen(
            [*argv, "--name", name, *fast, *extra],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(encoding="utf-8")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name in self.procs)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self._logs:
            log.close()


@pytest.fixture
def workers(redis_url: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(redis_url, tmp_path)
    yield group
    group.stop()


def enqueue(redis_url: str, config: Path, data_dir: Path, *args: str) -> Any:
    return run_cli(
        "enqueue",
        *args,
        "--redis",
        redis_url,
        "--config",
        str(config),
        "--data-dir",
        str(data_dir),
        *NO_THROTTLE,
    )


def list_runs(data_dir: Path) -> list[dict[str, Any]]:
    result = run_cli("runs", "--json", "--limit", "1000", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    runs: list[dict[str, Any]] = json.loads(result.stdout)
    return sorted(runs, key=lambda r: r["id"])


def file_tags(data_dir: Path) -> dict[str, set[str]]:
    """Site → the worker tags (``w1a1``) in the names of its WARC and JSONL files."""
    tags: dict[str, set[str]] = {}
    for path in [*(data_dir / "warc").iterdir(), *(data_dir / "items").iterdir()]:
        match = re.match(r"([a-z0-9]+)_([A-Za-z0-9.]+a\d+)-\d{14}-", path.name)
        assert match, path.name
        tags.setdefault(match[1], set()).add(match[2])
    return tags


def fetch_times(data_dir: Path) -> dict[str, list[datetime]]:
    """Host → the WARC-Date of every request record, in order."""
    times: dict[str, list[datetime]] = {}
    for path in (data_dir / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "request":
                    continue
                host = re.sub(r"^https?://([^/:]+).*", r"\1", record.rec_headers["WARC-Target-URI"])
                date = record.rec_headers["WARC-Date"].replace("Z", "+00:00")
                times.setdefault(host, []).append(datetime.fromisoformat(date))
    return {host: sorted(dates) for host, dates in times.items()}


def assert_archived_once(data_dir: Path, chosen: list[Site]) -> None:
    urls = Counter(item["url"] for item in read_items(data_dir))
    expected = set().union(*(site.expected for site in chosen))
    assert set(urls) == expected, set(urls) ^ expected
    assert [url for url, n in urls.items() if n > 1] == []
    verify = run_cli("verify", "--data-dir", str(data_dir))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_two_workers_archive_every_post_once_at_the_sites_rate(
    redis: Redis, redis_url: str, sites: dict[str, Site], workers: Workers, tmp_path: Path
) -> None:
    chosen = {name: site for name, site in sites.items() if name != "slow"}
    config, data_dir = write_config(tmp_path / "sites.toml", chosen), tmp_path / "data"
    queued = enqueue(redis_url, config, data_dir, "--all", "--group-size", "3")
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.count("queued crawl-") == 2, queued.stdout

    for name in ("w1", "w2"):
        workers.start(name, "--burst")
    for proc in workers.procs.values():
        assert proc.wait(120) == 0, workers.logs()

    assert_archived_once(data_dir, list(chosen.values()))
    tags = file_tags(data_dir)
    assert set(tags) == set(chosen)
    assert all(len(found) == 1 and found <= {"w1a1", "w2a1"} for found in tags.values()), tags
    runs = list_runs(data_dir)
    assert sorted(r["site"] for r in runs) == sorted(chosen), runs
    assert {(r["trigger"], r["status"]) for r in runs} == {("worker", "ok")}, runs
    assert {r["worker"] for r in runs} <= {"w1", "w2"}, runs
    for host, dates in fetch_times(data_dir).items():
        # One request per DOWNLOAD_DELAY (0.1 s) on average: Scrapy draws each delay from
        # 0.5 to 1.5 times it. Two processes on one host would double the rate.
        rate = (len(dates) - 2) / (dates[-1] - dates[1]).total_seconds()
        assert rate <= 1.25 / 0.1, (host, rate)
    assert not redis.keys("blogarchive:*"), "locks and claims are released"


def job_of(redis: Redis, job_id: str) -> Job:
    return Job.fetch(job_id, connection=redis)


def test_a_job_of_a_killed_worker_is_retried_and_archives_nothing_twice(
    redis: Redis, redis_url: str, sites: dict[str, Site], workers: Workers, tmp_path: Path
) -> None:
    chosen = {"slow": sites["slow"]}
    config, data_dir = write_config(tmp_path / "sites.toml", chosen), tmp_path / "data"
    queued = enqueue(redis_url, config, data_dir, "slow")
    assert queued.returncode == 0, queued.stderr
    job_id = re.findall(r"queued (crawl-\w+)", queued.stdout)[0]
    for name in ("k1", "k2"):
        workers.start(name)

    # Mid-crawl: some posts are written, the crawl is far from done.
    wait_for(lambda: _lines(data_dir / "items") >= 2, 30, "the first posts")
    again = enqueue(redis_url, config, data_dir, "slow")
    assert f"slow: refused, already queued or running as {job_id}" in again.stderr
    crawl = job_of(redis, job_id).get_meta()["crawl"]
    victim, survivor = crawl["worker"], ({"k1", "k2"} - {crawl["worker"]}).pop()
    workers.procs[victim].send_signal(signal.SIGKILL)
    killed = time.monotonic()

    # No orphan: the crawl dies with its worker.
    wait_for(lambda: not _alive(crawl["pid"]), 5, f"crawl pid {crawl['pid']} to die")
    wait_for(lambda: job_of(redis, job_id).get_meta().get("attempts") == 2, 30, "the retry")
    pickup = time.monotonic() - killed
    wait_for(
        lambda: job_of(redis, job_id).get_status() == JobStatus.FINISHED,
        60,
        "the retried job to finish",
    )
    workers.stop()

    print(f"pickup after SIGKILL: {pickup:.1f} s")  # bounded by the 30 s wait above
    assert_archived_once(data_dir, [sites["slow"]])
    assert file_tags(data_dir) == {"slow": {f"{victim}a1", f"{survivor}a2"}}
    first, second = list_runs(data_dir)
    assert first["status"] == "interrupted", first
    assert f"worker {victim}" in first["reason"], first
    assert (second["trigger"], second["status"]) == ("worker", "ok"), second
    assert job_of(redis, job_id).return_value()["worker"] == survivor


def _lines(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    return sum(p.read_bytes().count(b"\n") for p in directory.glob("*.jsonl*"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_site_is_never_crawled_by_two_jobs_at_once(
    redis: Redis, redis_url: str, sites: dict[str, Site], workers: Workers, tmp_path: Path
) -> None:
    chosen = {"slow": sites["slow"], "f0": sites["f0"]}
    config, data_dir = write_config(tmp_path / "sites.toml", chosen), tmp_path / "data"
    request = CrawlRequest(config=str(config), data_dir=str(data_dir), settings=NO_THROTTLE[1:])
    queue = Queue("blogarchive", connection=redis)
    # Past enqueue's claims (as two schedulers on two machines might): both jobs have slow.
    jobs = [enqueue_group(queue, group, request) for group in (["slow"], ["f0", "slow"])]
    for name in ("l1", "l2"):
        workers.start(name, "--burst")
    for proc in workers.procs.values():
        assert proc.wait(120) == 0, workers.logs()

    results = [job_of(redis, job.id).return_value() for job in jobs]
    runs = [r for r in list_runs(data_dir) if r["site"] == "slow"]
    assert runs, results
    for before, after in itertools.pairwise(runs):
        assert before["ended"] <= after["started"], runs
    skipped = [r for r in results if "slow" in r["skipped"]]
    assert len(runs) + len(skipped) == 2, (runs, results)
    assert_archived_once(data_dir, list(chosen.values()))


def test_a_crawl_that_fails_before_starting_is_not_a_finished_job(
    redis: Redis, redis_url: str, sites: dict[str, Site], workers: Workers, tmp_path: Path
) -> None:
    """Exit 1 normally means "crawled, a failed site is in the run history"; a crawl that
    could not open the archive at all recorded nothing, so the job fails and is retried."""
    config, data_dir = write_config(tmp_path / "sites.toml", sites), tmp_path / "data"
    (data_dir / "history.sqlite3").mkdir(parents=True)  # SQLite cannot open it
    queued = enqueue(redis_url, config, data_dir, "f0", "--retries", "1")
    assert queued.returncode == 0, queued.stderr
    job_id = re.findall(r"queued (crawl-\w+)", queued.stdout)[0]
    workers.start("b1", "--burst")
    assert workers.procs["b1"].wait(60) == 0, workers.logs()
    job = job_of(redis, job_id)
    assert job.get_status() == JobStatus.FAILED, workers.logs()
    assert job.get_meta()["attempts"] == 2, workers.logs()
    assert "f0 failed before it started" in workers.log("b1")


def test_a_workers_own_data_dir_wins_over_the_jobs(
    redis: Redis, redis_url: str, sites: dict[str, Site], workers: Workers, tmp_path: Path
) -> None:
    chosen = {"f1": sites["f1"]}
    config = write_config(tmp_path / "sites.toml", chosen)
    queued = enqueue(redis_url, config, tmp_path / "job-data", "f1")
    assert queued.returncode == 0, queued.stderr
    own = tmp_path / "own-data"
    workers.start("o1", "--burst", "--data-dir", str(own))
    assert workers.procs["o1"].wait(120) == 0, workers.logs()
    assert not (tmp_path / "job-data").exists()
    assert_archived_once(own, list(chosen.values()))
    assert [(r["site"], r["status"], r["worker"]) for r in list_runs(own)] == [("f1", "ok", "o1")]


def test_enqueue_refuses_a_site_already_queued(
    redis: Redis, redis_url: str, sites: dict[str, Site], tmp_path: Path
) -> None:
    config, data_dir = write_config(tmp_path / "sites.toml", sites), tmp_path / "data"
    first = enqueue(redis_url, config, data_dir, "f0", "f1")
    assert first.returncode == 0, first.stderr
    second = enqueue(redis_url, config, data_dir, "f1", "f2", "--group-size", "1")
    assert second.returncode == 0, second.stderr
    assert "f1: refused, already queued or running as crawl-" in second.stderr
    assert re.findall(r"queued crawl-\w+: (.*)", second.stdout) == ["f2"]
    assert len(Queue("blogarchive", connection=redis)) == 2

    unknown = enqueue(redis_url, config, data_dir, "nope")
    assert unknown.returncode == 2
    assert "unknown site 'nope'" in unknown.stderr
    env = {"BLOGARCHIVE_REDIS_URL": ""}
    assert run_cli("worker", "--burst", env=env).returncode == 2
    assert run_cli("enqueue", "f0", "--config", str(config), env=env).returncode == 2


def test_schedule_with_redis_enqueues_instead_of_crawling(
    redis: Redis, redis_url: str, sites: dict[str, Site], tmp_path: Path
) -> None:
    config, data_dir = write_config(tmp_path / "sites.toml", sites), tmp_path / "data"
    args = job_args("f0", config, data_dir, [], redis_url)
    assert args[-1] == redis_url
    assert job_args("f0", config, data_dir, []) == args[:-1]
    assert run_site(*args) == 0
    assert run_site(*args) == 0  # refused: already queued
    (job,) = Queue("blogarchive", connection=redis).get_jobs()
    assert job.kwargs["sites"] == ["f0"]
    assert job.kwargs["data_dir"] == str(data_dir.resolve())
    assert not data_dir.exists(), "nothing crawled locally"
