"""The HTML pages: search, post, capture view, stats."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from archive.diff import diff_posts
from archive.search.index import QuerySyntaxError, SchemaVersionError
from archive.web.assets import rewrite_css
from archive.web.chart import colours, month_range, posts_chart
from archive.web.forms import (
    KIND_CHOICES,
    MAX_OFFSET,
    PAGE_SIZE,
    RATING_CHOICES,
    FormError,
    SearchForm,
    int_param,
)
from archive.web.posts import post_id
from archive.web.rewrite import rewrite_html
from archive.web.security import ASSET_HEADERS, CAPTURE_HEADERS
from archive.web.stats import runs
from archive.web.store import NoIndexError, Store

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    template = request.app.state.templates.get_template(name)
    return HTMLResponse(template.render(path=request.url.path, **context), status_code=status)


def search_page(request: Request) -> Response:
    store = _store(request)
    failure: str | None = None
    try:
        form = SearchForm.parse(request.query_params)
    except FormError as exc:
        form, failure = SearchForm(), str(exc)
    context, status = (
        _results(store, form, request) if failure is None else (_no_hits(failure), 400)
    )
    return render(
        request,
        "search.html",
        status,
        form=form,
        sites=store.sites(),
        kinds=KIND_CHOICES,
        ratings=RATING_CHOICES,
        **context,
    )


def _no_hits(error: str | None = None, page: int = 1) -> dict[str, Any]:
    return {"hits": [], "more": False, "page": page, "error": error}


def _results(store: Store, form: SearchForm, request: Request) -> tuple[dict[str, Any], int]:
    try:
        page = int_param(request.query_params, "page", 1, low=1, high=MAX_OFFSET // PAGE_SIZE)
        offset = (page - 1) * PAGE_SIZE
        hits = store.search(form.q, **form.filters(), limit=PAGE_SIZE + 1, offset=offset)
    except (NoIndexError, SchemaVersionError) as exc:
        return _no_hits(f"{exc}. Run `blogarchive crawl` or `blogarchive reindex`."), 503
    except (FormError, QuerySyntaxError, ValueError) as exc:
        return _no_hits(str(exc)), 400
    context = _no_hits(page=page)
    context.update(hits=hits[:PAGE_SIZE], more=len(hits) > PAGE_SIZE)
    return context, 200


def post_page(request: Request) -> Response:
    store = _store(request)
    version = _version(request)
    post = store.post(request.path_params["post_id"], version)
    if post is None:
        raise HTTPException(
            404, "No such post in the archive." if version is None else "No such version."
        )
    return render(request, "post.html", post=post, item=post.record.to_dict())


def diff_page(request: Request) -> Response:
    """What changed from one version to another (default: to ``?to=``'s previous one)."""
    store = _store(request)
    ident = request.path_params["post_id"]
    latest = store.post(ident)
    if latest is None:
        raise HTTPException(404, "No such post in the archive.")
    versions = latest.versions
    try:
        new = int_param(request.query_params, "to", 0, low=1, high=1_000_000)
        old = int_param(request.query_params, "from", 0, low=1, high=1_000_000)
    except FormError as exc:
        raise HTTPException(400, str(exc)) from None
    after = next((v for v in versions if v.version == new), versions[-1]) if new else versions[-1]
    earlier = [v for v in versions if v is not after and (v.version or 0) < (after.version or 0)]
    before = next((v for v in versions if v.version == old), None) if old else None
    before = before or (earlier[-1] if earlier else None)
    if before is None:
        raise HTTPException(404, "No earlier version to compare with.")
    diff = diff_posts(before, after)
    title = after.title or after.url
    return render(request, "diff.html", 200, diff=diff, post_id=ident, title=title)


def _version(request: Request) -> int | None:
    try:
        value = int_param(request.query_params, "version", 0, low=1, high=1_000_000)
    except FormError as exc:
        raise HTTPException(400, str(exc)) from None
    return value or None


def capture_page(request: Request) -> Response:
    store = _store(request)
    capture = store.capture(request.path_params["filename"], request.path_params["offset"])
    if capture is None:
        raise HTTPException(404, "No such capture in the archive.")
    archived = store.latest(capture.url) is not None
    raw = f"/captures/{capture.filename}/{capture.offset}/raw"
    return render(
        request,
        "capture.html",
        capture=capture,
        raw=raw,
        post=post_id(capture.url) if archived else None,
        original=store.original(capture),
    )


def capture_raw(request: Request) -> Response:
    """The archived page itself, for the sandboxed iframe: links rewritten, no scripts run."""
    store = _store(request)
    capture = store.capture(request.path_params["filename"], request.path_params["offset"])
    payload = store.payload(capture) if capture is not None else None
    if capture is None or payload is None:
        return Response(
            "Not in the archive.", 404, headers=CAPTURE_HEADERS, media_type="text/plain"
        )
    assets = store.asset_links(capture.date)
    if payload.mime in HTML_TYPES:
        links = store.capture_links()
        body = rewrite_html(payload.body, payload.url, payload.charset, links, assets)
        return Response(body, headers=CAPTURE_HEADERS, media_type="text/html; charset=utf-8")
    if payload.mime == "text/css":
        css = rewrite_css(
            payload.body.decode(payload.charset or "utf-8", "replace"), payload.url, assets
        )
        return Response(css, headers=ASSET_HEADERS, media_type="text/css; charset=utf-8")
    if payload.mime.startswith("image/"):
        return Response(payload.body, headers=ASSET_HEADERS, media_type=payload.mime)
    if payload.mime.startswith("text/") or payload.mime.endswith(("json", "xml")):
        charset = payload.charset or "utf-8"
        return Response(
            payload.body, headers=CAPTURE_HEADERS, media_type=f"text/plain; charset={charset}"
        )
    headers = {**CAPTURE_HEADERS, "Content-Disposition": "attachment"}
    return Response(payload.body, headers=headers, media_type="application/octet-stream")


def stats_page(request: Request) -> Response:
    store = _store(request)
    stats = store.stats()
    months = month_range([m for counts in stats.per_month.values() for m in counts])
    return render(
        request,
        "stats.html",
        stats=stats,
        months=months,
        chart=Markup(posts_chart(stats.per_month, months)) if months else "",
        colours=colours(sorted(stats.per_month)),
        sizes=store.sizes(),
        runs=runs(store.data_dir, limit=20),
        data_dir=str(store.data_dir),
    )
