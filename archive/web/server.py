"""Run the web UI with uvicorn on a socket bound here (so port 0 and errors are ours)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from archive.web.app import create_app
from archive.web.security import allowed_hosts


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (IPv4 or IPv6). Raises OSError."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(data_dir: Path, sock: socket.socket, host: str, ready: Callable[[str], None]) -> None:
    """Serve ``data_dir`` on ``sock`` until SIGINT or SIGTERM."""
    import uvicorn  # lazily: the app is built first, so a bad data dir fails fast

    app = create_app(data_dir, allowed_hosts=allowed_hosts(host))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    ready(url_of(sock))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
