"""Loopback only: in the test process and every Python subprocess it starts, a name lookup
or connection to any host but loopback fails, and is written down for the tests to fail on.

The suite puts this directory first on ``PYTHONPATH`` (``tests/conftest.py``), so Python
imports this module at start-up (``site``'s ``sitecustomize`` hook) in every crawl, worker
and server subprocess. It patches :func:`socket.getaddrinfo` and ``socket.connect``/
``connect_ex``: a request to a public host is never made, and ``BLOGARCHIVE_NETGUARD_LOG``
names the hosts tried. Standard library only.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

LOG_ENV = "BLOGARCHIVE_NETGUARD_LOG"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def loopback(host: object) -> bool:
    """A name or address that stays on this machine (None: a passive or local socket)."""
    if host is None:
        return True
    name = (host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)).lower()
    if name in LOOPBACK_NAMES or name in ("", "0.0.0.0", "::"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def refuse(host: object, how: str) -> None:
    """Write the host down and refuse, as an unreachable network would."""
    path = os.environ.get(LOG_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as log:
            log.write(f"{how} {host!r} (pid {os.getpid()})\n")
    raise socket.gaierror(socket.EAI_NONAME, f"tests are loopback only: {host!r}")


def install() -> None:
    """Patch the socket module (once)."""
    if getattr(socket, "_netguard", False):
        return
    lookup = socket.getaddrinfo
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not loopback(host):
            refuse(host, "lookup")
        return lookup(host, *args, **kwargs)

    def address_ok(address: Any) -> bool:
        return not isinstance(address, tuple) or loopback(address[0])

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if not address_ok(address):
            refuse(address[0], "connect")
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not address_ok(address):
            refuse(address[0], "connect")
        return connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign,assignment]
    socket._netguard = True  # type: ignore[attr-defined]


if os.environ.get(LOG_ENV):
    install()
