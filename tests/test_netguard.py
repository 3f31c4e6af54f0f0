"""The suite's safety net: nothing leaves loopback, in this process or a subprocess."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.conftest import NETGUARD_LOG, ROOT


def test_a_subprocess_cannot_reach_a_public_host() -> None:
    code = (
        "import urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('http://blogger.googleusercontent.com/x.png', timeout=5)\n"
        "except OSError as exc:\n"
        "    print('refused', exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    tried = NETGUARD_LOG.read_text(encoding="utf-8")
    NETGUARD_LOG.write_text("", encoding="utf-8")
    assert "loopback only" in result.stdout
    assert "lookup 'blogger.googleusercontent.com'" in tried


def test_this_process_cannot_connect_off_loopback_but_loopback_works() -> None:
    with socket.socket() as sock, pytest.raises(OSError, match="loopback only"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: would hang, not refuse
    tried = NETGUARD_LOG.read_text(encoding="utf-8")
    NETGUARD_LOG.write_text("", encoding="utf-8")
    assert "connect '192.0.2.1'" in tried
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
