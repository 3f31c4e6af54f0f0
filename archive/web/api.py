"""The JSON API: ``/api/search``, ``/api/posts/{id}``, ``/api/runs`` and its OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from archive.search.index import QuerySyntaxError, SchemaVersionError
from archive.web.forms import MAX_OFFSET, FormError, SearchForm, int_param
from archive.web.openapi import openapi_document
from archive.web.posts import post_id
from archive.web.stats import runs
from archive.web.store import CaptureRow, NoIndexError, Store


class JSON(JSONResponse):
    """UTF-8 JSON, not ASCII-escaped (like ``blogarchive search --json``)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def error(status: int, message: str) -> Response:
    return JSON({"error": message}, status_code=status)


def api_search(request: Request) -> Response:
    params = request.query_params
    try:
        form = SearchForm.parse(params)
        limit = int_param(params, "limit", 10, low=1, high=100)
        offset = int_param(params, "offset", 0, low=0, high=MAX_OFFSET)
        hits = _store(request).search(form.q, **form.filters(), limit=limit, offset=offset)
    except (NoIndexError, SchemaVersionError) as exc:
        return error(503, str(exc))
    except (FormError, QuerySyntaxError, ValueError) as exc:
        return error(400, str(exc))
    return JSON([{"id": post_id(hit.url), **hit.to_dict()} for hit in hits])


def api_post(request: Request) -> Response:
    try:
        version = int_param(request.query_params, "version", 0, low=1, high=1_000_000) or None
    except FormError as exc:
        return error(400, str(exc))
    post = _store(request).post(request.path_params["post_id"], version)
    if post is None:
        return error(404, "no such post" if version is None else "no such version")
    return JSON(
        {
            "id": post.id,
            "url": post.record.url,
            "item": post.record.to_dict(),
            "versions": [record.to_dict() for record in post.versions],
            "captures": [capture_json(row) for row in post.captures],
        }
    )


def capture_json(row: CaptureRow) -> dict[str, Any]:
    capture = row.capture
    return {
        "date": capture.date,
        "kind": capture.kind,
        "label": row.label,
        "status": capture.status,
        "version": row.version,
        "filename": capture.filename,
        "offset": capture.offset,
        "record_id": capture.record_id,
        "view": f"/captures/{capture.filename}/{capture.offset}",
    }


def api_runs(request: Request) -> Response:
    params = request.query_params
    try:
        limit = int_param(params, "limit", 50, low=1, high=1000)
    except FormError as exc:
        return error(400, str(exc))
    found = runs(_store(request).data_dir, site=params.get("site") or None, limit=limit)
    return JSON([run.to_dict() for run in found])


def api_openapi(request: Request) -> Response:
    return JSON(openapi_document())
