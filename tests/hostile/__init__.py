"""A hostile fixture blog for the test suite: good posts mixed with every fault of issue 7.

:class:`HostileServer` serves :class:`HostileSite` on 127.0.0.1 (see ``serve_hostile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.hostile.server import HostileServer
from tests.hostile.site import HostileSite


@contextmanager
def serve_hostile() -> Iterator[tuple[HostileServer, HostileSite]]:
    """Start the hostile blog on a free port; everything is closed on exit."""
    with HostileServer() as server:
        # Routes are added once the port is known (pages link to it); nothing asks before.
        site = HostileSite(server.url)
        server.add(site.routes, site.routers)
        yield server, site


__all__ = ["HostileServer", "HostileSite", "serve_hostile"]
