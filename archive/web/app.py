"""The web UI's ASGI application: routes, error pages and security middleware."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from archive.web import api, feeds, pages
from archive.web.render import environment
from archive.web.security import SecurityHeaders
from archive.web.store import Store

STATIC = Path(__file__).parent / "static"
_GET = ["GET"]  # HEAD comes with it; the UI accepts no write


def create_app(data_dir: Path, *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The UI and JSON API for the archive in ``data_dir`` (read only).

    ``allowed_hosts``: the Host header values to answer (default: any).
    """
    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["*"]),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.store = Store(data_dir)
    app.state.templates = environment()
    return app


def _routes() -> list[Route | Mount]:
    return [
        Route("/", pages.search_page, methods=_GET),
        Route("/posts/{post_id:str}", pages.post_page, methods=_GET),
        Route("/posts/{post_id:str}/diff", pages.diff_page, methods=_GET),
        Route("/captures/{filename:str}/{offset:int}", pages.capture_page, methods=_GET),
        Route("/captures/{filename:str}/{offset:int}/raw", pages.capture_raw, methods=_GET),
        Route("/stats", pages.stats_page, methods=_GET),
        Route("/api/search", api.api_search, methods=_GET),
        Route("/api/posts/{post_id:str}", api.api_post, methods=_GET),
        Route("/api/runs", api.api_runs, methods=_GET),
        Route("/api/openapi.json", api.api_openapi, methods=_GET),
        Route("/feeds/posts.atom", feeds.feed_posts, methods=_GET),
        Route("/feeds/changes.atom", feeds.feed_changes, methods=_GET),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal error"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if request.url.path.startswith("/api/"):
        return api.JSON({"error": detail}, status_code=status, headers=headers)
    return pages.render(request, "error.html", status, code=status, message=detail)
