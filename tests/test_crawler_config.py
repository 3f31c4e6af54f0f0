"""crawler.config: the shipped config loads; errors name the file, the entry and the value."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.config import (
    ConfigError,
    load_sites,
    parse_schedule,
    resolve_config_path,
    site_name_for,
)

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid() -> None:
    sites = load_sites(ROOT / "config" / "sites.toml")
    assert "sample" in sites
    platforms = {site.platform for site in sites.values()}
    assert {"blogger", "wordpress"} <= platforms


def test_minimal_entry_gets_defaults(tmp_path: Path) -> None:
    sites = load_sites(write(tmp_path, '[[sites]]\nname = "a"\nurl = "https://a.example/"\n'))
    site = sites["a"]
    assert (site.platform, site.schedule, site.max_pages, site.paused) == (
        "auto",
        None,
        None,
        False,
    )
    assert (site.delay, site.concurrency, site.robots) == (None, None, "obey")
    assert site.host == "a.example"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('url = "https://a.example/"', r"sites\[1\]: name: None is not a valid name"),
        ('name = "a"', r"sites\[1\] \(a\): url: None is not an http\(s\) URL"),
        ('name = "a"\nurl = "ftp://a/"', r"url: 'ftp://a/'"),
        ('name = "a"\nurl = "https://a/"\nschedule = "every 6y"', r"schedule: 'every 6y'"),
        ('name = "a"\nurl = "https://a/"\nschedule = "61 * * * *"', r"schedule: '61 \* \* \* \*'"),
        (
            'name = "a"\nurl = "https://a/"\nplatform = "tumblr"',
            r"platform: 'tumblr' is not one of",
        ),
        ('name = "a"\nurl = "https://a/"\nmax_pages = 0', r"max_pages: 0 must be a positive"),
        ('name = "a"\nurl = "https://a/"\nmax_page = 5', r"unknown key 'max_page'"),
        ('name = "a"\nurl = "https://a/"\ndelay = "fast"', r"delay: 'fast' must be a number"),
        ('name = "a"\nurl = "https://a/"\nconcurrency = 0', r"concurrency: 0 must be a positive"),
        ('name = "a"\nurl = "https://a/"\nrobots = "maybe"', r"robots: 'maybe' is not one of"),
        ('name = "a"\nurl = "https://a/"\npaused = "yes"', r"paused: 'yes' must be true or false"),
        ('name = "a"\nurl = "https://a/"\nasset_types = "image/"', r"asset_types: 'image/' must"),
        ('name = "a"\nurl = "https://a/"\nasset_types = ["images"]', r"asset_types: \['images'\]"),
        (
            'name = "a"\nurl = "https://a/"\nrevalidate_after = "weekly"',
            r"revalidate_after: 'weekly': write a duration as N",
        ),
        (
            'name = "a"\nurl = "https://a/"\nrevalidate_after = 7',
            r"revalidate_after: 7 must be a duration such as '7d'",
        ),
        ('name = "a"\nurl = "https://a/"\nrevalidate_after = "0d"', r"must be positive"),
        ('name = "a"\nurl = "https://a:99999/"', r"url: 'https://a:99999/': the port must be 1 to"),
        (
            'name = "a"\nurl = "https://a/"\ndelay = inf',
            r"delay: inf must be a number of seconds from",
        ),
        ('name = "a"\nurl = "https://a/"\ndelay = nan', r"delay: nan must be a number"),
        ('name = "a"\nurl = "https://a/"\ndelay = 86400', r"from 0 to 3600"),
        (
            'name = "a"\nurl = "https://a/"\nschedule = "every 99999999999d"',
            r"schedule: 'every 99999999999d': the interval must be at most 3650 days",
        ),
        (
            'name = "a"\nurl = "https://a/"\nrevalidate_after = "99999999999d"',
            r"the interval must be at most 3650 days",
        ),
    ],
)
def test_errors_name_file_entry_and_value(tmp_path: Path, entry: str, message: str) -> None:
    path = write(tmp_path, f"[[sites]]\n{entry}\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_sites(path)
    assert str(info.value).startswith(str(path))


def test_a_misspelt_table_is_an_error_not_zero_sites(tmp_path: Path) -> None:
    path = write(tmp_path, '[[site]]\nname = "a"\nurl = "https://a/"\n')
    with pytest.raises(
        ConfigError, match=r"unknown table or key 'site' \(expected \[\[sites\]\]\)"
    ):
        load_sites(path)


def test_revalidate_after_is_a_week_unless_set(tmp_path: Path) -> None:
    text = '[[sites]]\nname = "a"\nurl = "https://a/"\n'
    text += '[[sites]]\nname = "b"\nurl = "https://b/"\nrevalidate_after = "36h"\n'
    sites = load_sites(write(tmp_path, text))
    assert sites["a"].revalidate_after == timedelta(days=7)
    assert sites["b"].revalidate_after == timedelta(hours=36)


def test_asset_types_keep_the_setting_unless_set(tmp_path: Path) -> None:
    text = '[[sites]]\nname = "a"\nurl = "https://a/"\n'
    text += '[[sites]]\nname = "b"\nurl = "https://b/"\nasset_types = ["Image/", "video/mp4"]\n'
    sites = load_sites(write(tmp_path, text))
    assert sites["a"].asset_types is None
    assert sites["b"].asset_types == ["image/", "video/mp4"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://blog.example/", "blog.example"),
        ("https://blog.example", "blog.example"),
        ("http://blog.example:80/", "blog.example"),
        ("https://blog.example:8443/", "blog.example-8443"),
        ("http://127.0.0.1:8001/", "127.0.0.1-8001"),
        ("https://host.example/alice/", "host.example-alice"),
        ("https://host.example/~bob/blog/", "host.example-bob-blog"),
    ],
)
def test_a_blog_given_by_url_is_named_by_host_port_and_path(url: str, name: str) -> None:
    assert site_name_for(url) == name


def test_two_blogs_on_one_host_are_two_sites() -> None:
    """They must not share a frontier: a crash of one was once resumed inside the other."""
    assert site_name_for("http://127.0.0.1:8001/") != site_name_for("http://127.0.0.1:8002/")
    assert site_name_for("https://h.example/a/") != site_name_for("https://h.example/b/")


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    text = '[[sites]]\nname = "a"\nurl = "https://a/"\n' * 2
    with pytest.raises(ConfigError, match=r"sites\[2\]: name: duplicate name 'a'"):
        load_sites(write(tmp_path, text))


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_sites(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_sites(write(tmp_path, "[[sites]\nname="))


def test_config_path_falls_back_to_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOGARCHIVE_CONFIG", "/etc/blogs.toml")
    assert resolve_config_path(None) == Path("/etc/blogs.toml")
    assert resolve_config_path("x.toml") == Path("x.toml")
    monkeypatch.delenv("BLOGARCHIVE_CONFIG")
    assert resolve_config_path(None) == Path("config/sites.toml")


def test_schedules() -> None:
    assert parse_schedule("every 6h") == timedelta(hours=6)
    assert parse_schedule("every 30m") == timedelta(minutes=30)
    assert parse_schedule("0 3 * * *") == "0 3 * * *"
    assert parse_schedule("0 3 * * 7") == "0 3 * * 7"  # Sunday, as in crontab
    with pytest.raises(ValueError, match="every N"):
        parse_schedule("every day")


def test_platforms_are_the_page_classes_and_loading_them_waits_for_a_named_one(
    tmp_path: Path,
) -> None:
    """``auto`` needs no parser; a named platform is checked against the page classes."""
    code = (
        "import sys; from crawler.config import load_sites, platforms; "
        "load_sites(sys.argv[1]); print('crawler.parsers' in sys.modules); "
        "from crawler.parsers import PAGE_CLASSES; print(platforms() == ('auto', *PAGE_CLASSES))"
    )
    path = write(tmp_path, '[[sites]]\nname = "a"\nurl = "https://a.example/"\n')
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


def test_loading_a_config_never_imports_the_scheduler(tmp_path: Path) -> None:
    """``crawler.config`` does not import APScheduler or SQLAlchemy; a cron schedule checks
    its fields with APScheduler's cron trigger, still without the job store (SQLAlchemy)."""
    config = write(
        tmp_path, '[[sites]]\nname = "a"\nurl = "https://a.example/"\nschedule = "0 3 * * 1-5"\n'
    )
    code = (
        "import sys\n"
        "def loaded():\n"
        "    names = {m.split('.')[0] for m in sys.modules} | set(sys.modules)\n"
        "    return sorted(names & {'apscheduler', 'sqlalchemy', 'crawler.schedule.service'})\n"
        "import crawler.config\n"
        "print(loaded())\n"
        "crawler.config.load_sites(sys.argv[1])\n"
        "print(loaded())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.splitlines() == ["[]", "['apscheduler']"]
