"""The ``blogarchive`` command line: help, data dir, config, bounds, failures, Scrapy's own command."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import COMMANDS, build_parser, main
from tests.conftest import LOOPBACK, ROOT, free_port, read_items, run_cli
from tests.sites import get_blog

SUBCOMMANDS = list(COMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help_and_data_dir(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "--data-dir" in capsys.readouterr().out


def test_top_level_help_lists_subcommands() -> None:
    text = build_parser().format_help()
    assert all(command in text for command in SUBCOMMANDS)


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("blogarchive")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "crawl" in result.stdout


def test_crawl_needs_a_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl"]) == 2
    assert "name a site" in capsys.readouterr().err


def test_crawl_reports_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "sites.toml"
    config.write_text('[[sites]]\nname = "x"\nurl = "https://x/"\nschedule = "sometimes"\n')
    assert main(["crawl", "x", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err
    assert "sites[1] (x): schedule: 'sometimes'" in err


def test_crawl_unknown_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "sites.toml"
    config.write_text('[[sites]]\nname = "x"\nurl = "https://x/"\n')
    assert main(["crawl", "nope", "--config", str(config)]) == 2
    assert "unknown site 'nope'; known: x" in capsys.readouterr().err


def test_bad_setting_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--url", "http://127.0.0.1:9/", "-s", "NOEQUALS"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err


def test_search_without_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", "--data-dir", str(tmp_path / "none")]) == 1
    assert "no index" in capsys.readouterr().err


def test_dead_server_fails_clearly(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_cli(
        "crawl",
        "--url",
        url,
        "--data-dir",
        str(tmp_path),
        *LOOPBACK,
        "-s",
        "RETRY_TIMES=0",
        timeout=120,
    )
    assert result.returncode == 1
    assert "FAILED" in result.stdout
    assert "0 pages" in result.stdout
    assert read_items(tmp_path) == []


@pytest.fixture(scope="module")
def demo_server(serve: Any) -> Any:
    return serve(get_blog("demo"))


def test_crawl_site_by_name_with_max_pages(demo_server: Any, tmp_path: Path) -> None:
    config = tmp_path / "sites.toml"
    config.write_text(
        f'[[sites]]\nname = "sample"\nurl = "{demo_server.url}"\nplatform = "blogger"\n'
    )
    result = run_cli(
        "crawl",
        "sample",
        "--max-pages",
        "5",
        "--data-dir",
        str(tmp_path / "d"),
        *LOOPBACK,
        env={"BLOGARCHIVE_CONFIG": str(config)},
    )
    assert result.returncode == 0, result.stderr
    summary = result.stdout.splitlines()[0]
    pages = int(summary.split(": ")[2].split(" pages")[0])
    assert 1 <= pages <= 6  # 5 scheduled by the spider, plus robots.txt
    assert {i["site"] for i in read_items(tmp_path / "d")} <= {"sample"}


def test_data_dir_falls_back_to_environment(demo_server: Any, tmp_path: Path) -> None:
    result = run_cli(
        "crawl",
        "--url",
        demo_server.url,
        "--max-pages",
        "3",
        *LOOPBACK,
        env={"BLOGARCHIVE_DATA_DIR": str(tmp_path / "envdir")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "envdir" / "warc").glob("*.warc.gz"))
    assert not (tmp_path / "data").exists()


def test_scrapy_crawl_runs_the_same_crawl(demo_server: Any, tmp_path: Path) -> None:
    env = {**os.environ, "BLOGARCHIVE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "blog",
            "-a",
            f"url={demo_server.url}",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "LOG_LEVEL=INFO",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = [item for item in read_items(tmp_path) if item["kind"] == "post"]
    assert len(items) == len(get_blog("demo").truth)
    assert "posts, 0 errors" in result.stderr  # progress through Scrapy's log
    assert list((tmp_path / "warc").glob("127.0.0.1_*-*.warc.gz"))


def test_extract_saved_html(tmp_path: Path) -> None:
    blog = get_blog("demo")
    site = blog.resources("http://blog.example/")
    path = blog.truth[0]["url"]
    page = tmp_path / "post.html"
    page.write_bytes(site[path].body)
    result = run_cli("extract", str(page), "--url", "http://blog.example" + path)
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == blog.truth[0]["title"]
    assert item["authors"] == blog.truth[0]["authors"]
    assert item["url"] == "http://blog.example" + path


def test_extract_reports_non_posts_and_missing_files(tmp_path: Path) -> None:
    page = tmp_path / "listing.html"
    page.write_text("<html><body><p>nothing here</p></body></html>")
    result = run_cli("extract", str(page), str(tmp_path / "missing.html"))
    assert result.returncode == 1
    assert "not a post page" in result.stderr
    assert "missing.html" in result.stderr


def test_demo_crawls_and_searches(tmp_path: Path) -> None:
    result = run_cli("demo", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "sample: done:" in result.stdout
    assert "Why Xiaomi does not sell its smartphones" in result.stdout
    kinds = [item["kind"] for item in read_items(tmp_path, ("post", "page"))]
    # Every post, and the about page as an item of kind page.
    assert (kinds.count("post"), kinds.count("page")) == (len(get_blog("demo").truth), 1)


def test_the_demo_keeps_to_itself_and_its_hints_work(tmp_path: Path) -> None:
    result = run_cli("demo", cwd=tmp_path, env={"BLOGARCHIVE_DATA_DIR": ""})
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()  # never the user's archive in ./data
    lines = result.stdout.splitlines()
    archive = Path(
        next(line for line in lines if line.startswith("archiving it into ")).split(" into ", 1)[1]
    )
    try:
        assert archive.parent == Path(tempfile.gettempdir())
        hint = next(line for line in lines if line.startswith("search: ")).removeprefix("search: ")
        searched = subprocess.run(
            [*shlex.split(hint), "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert searched.returncode == 0, searched.stderr
        assert "Why Xiaomi does not sell its smartphones" in searched.stdout
    finally:
        shutil.rmtree(archive)


def test_search_never_imports_scrapy_or_the_other_commands(tmp_path: Path) -> None:
    code = (
        "import sys; from crawler.cli import main; main(['search', 'x', '--data-dir', sys.argv[1]]);"
        "print(sorted(m for m in ('scrapy', 'twisted', 'crawler.commands.crawl', "
        "'crawler.commands.export', 'crawler.parsers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_reader_that_leaves_the_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    assert run_cli("demo", "--data-dir", str(tmp_path)).returncode == 0
    warc = str(next((tmp_path / "warc").glob("*.warc.gz")))
    with subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "extract", "--all", warc, warc, warc, warc],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    ) as extract:
        assert extract.stdout is not None
        assert extract.stderr is not None
        extract.stdout.read(100)  # like `| head -c 100`: read a little, then leave
        extract.stdout.close()
        err = extract.stderr.read().decode()
    assert (extract.returncode, err) == (141, "")
