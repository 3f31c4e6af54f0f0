"""``blogarchive serve`` as a command: start, answer, stop; bad options; warnings."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler.cli import main
from tests.conftest import ROOT, run_cli
from tests.test_web_fixture import WebArchive


def test_serve_starts_answers_and_stops_on_ctrl_c(archived: WebArchive) -> None:
    command = [sys.executable, "-m", "crawler.cli", "serve", "--port", "0"]
    with subprocess.Popen(
        [*command, "--data-dir", str(archived.data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            assert line.startswith(f"Serving {archived.data_dir} at http://127.0.0.1:"), line
            url = line.split(" at ", 1)[1].split()[0]
            with urllib.request.urlopen(url + "api/runs", timeout=10) as response:
                runs = json.loads(response.read())
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
        finally:
            server.send_signal(signal.SIGINT)
            _, err = server.communicate(timeout=20)
    assert len(runs) == 2
    assert server.returncode == 0, err
    assert "stopped" in err
    assert "Traceback" not in err


def test_serve_does_not_import_scrapy() -> None:
    code = (
        "import sys; from crawler.cli import build_parser; import archive.web.app, "
        "archive.web.server; print('scrapy' in sys.modules, 'twisted' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_serve_without_an_archive_fails(tmp_path: Path) -> None:
    result = run_cli("serve", "--data-dir", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert "no archive in" in result.stderr


def test_serve_on_a_busy_port_fails_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"blogarchive serve: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


def test_serve_warns_when_not_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(host: str, port: int) -> socket.socket:
        raise OSError("not binding in a test")

    monkeypatch.setattr("archive.web.server.bind", refuse)
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0, not on loopback" in err
    assert main(["serve", "--host", "127.0.0.1", "--data-dir", str(tmp_path)]) == 1
    assert "warning" not in capsys.readouterr().err


def test_serve_rejects_a_bad_port(tmp_path: Path) -> None:
    assert main(["serve", "--port", "70000", "--data-dir", str(tmp_path)]) == 2


def test_serve_is_listed_in_help() -> None:
    result = run_cli("--help")
    assert "serve" in result.stdout
