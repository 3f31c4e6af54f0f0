"""Security headers, and the hosts the UI answers to.

Every UI response gets a strict Content-Security-Policy (no script at all, styles and
images from the UI only, frames from the UI only) and is never framed by others. A
capture is served with a policy that also sandboxes it (an opaque origin, no script,
no plugin, no navigation of the top page) and lets it load images and stylesheets from
the UI only: its archived ones, at their captures (see :mod:`archive.web.assets`),
never the blog's.

A server on loopback answers only requests whose Host is a loopback name, so a web
page cannot read the archive through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import socket

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UI_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
CAPTURE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; sandbox; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
UI_HEADERS = {
    **COMMON_HEADERS,
    "Content-Security-Policy": UI_CSP,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CAPTURE_HEADERS = {
    **COMMON_HEADERS,
    "Content-Security-Policy": CAPTURE_CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}
# An archived image or stylesheet, for a capture's page: the capture's sandbox gives that
# page an opaque origin, which a same-origin resource policy would refuse.
ASSET_HEADERS = {**CAPTURE_HEADERS, "Cross-Origin-Resource-Policy": "cross-origin"}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only reaches this machine."""
    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def allowed_hosts(bind_host: str) -> list[str]:
    """The Host header values to answer: loopback names for a loopback bind, else any."""
    if not is_loopback(bind_host):
        return ["*"]
    return sorted({*LOOPBACK_NAMES, bind_host, bind_host.strip("[]")})


class SecurityHeaders:
    """ASGI middleware: add :data:`UI_HEADERS` to every response that has not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in UI_HEADERS.items():
                    if name.lower().encode("latin-1") not in present:
                        headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
