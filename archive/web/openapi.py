"""The OpenAPI 3.1 document of the JSON API (served at ``/api/openapi.json``)."""

from __future__ import annotations

from typing import Any

from archive import __version__

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_ITEM_KIND = {
    "type": "string",
    "enum": ["post", "page"],
    "description": "post (a blog entry) or page (standalone: an about page, a tutorial...).",
}

RATING = {
    "type": ["object", "null"],
    "description": "The post's rating as published, with its scale; normalized is 0..1.",
    "properties": {
        "value": {"type": "number"},
        "best": {"type": "number"},
        "worst": {"type": "number"},
        "count": _NULLABLE_INT,
        "normalized": {"type": "number", "minimum": 0, "maximum": 1},
        "kind": _NULLABLE_STRING,
        "source": _NULLABLE_STRING,
    },
    "required": ["value", "best", "worst", "normalized"],
}
WARC = {
    "type": ["object", "null"],
    "description": "Where the post's response record is: seek to offset in DATA/warc/filename.",
    "properties": {
        "filename": {"type": "string"},
        "offset": {"type": "integer"},
        "record_id": {"type": "string"},
        "length": _NULLABLE_INT,
    },
    "required": ["filename", "offset", "record_id"],
}
HIT = {
    "type": "object",
    "description": "One search result: the fields of `blogarchive search --json`, plus id.",
    "properties": {
        "id": {"$ref": "#/components/schemas/PostId"},
        "url": {"type": "string"},
        "title": _NULLABLE_STRING,
        "author": _NULLABLE_STRING,
        "published": _NULLABLE_STRING,
        "rating": {"$ref": "#/components/schemas/Rating"},
        "site": _NULLABLE_STRING,
        "kind": _ITEM_KIND,
        "snippet": {
            "type": "string",
            "description": "HTML-escaped text; matched words in <mark>...</mark>.",
        },
        "score": {"type": "number"},
        "warc": {"$ref": "#/components/schemas/WarcRef"},
        "version": _NULLABLE_INT,
    },
    "required": [
        "id",
        "url",
        "title",
        "author",
        "published",
        "rating",
        "site",
        "kind",
        "snippet",
        "score",
    ],
}
ITEM = {
    "type": "object",
    "description": "A JSONL item (see the README, 'Item schema').",
    "properties": {
        "url": {"type": "string"},
        "site": _NULLABLE_STRING,
        "kind": _ITEM_KIND,
        "title": _NULLABLE_STRING,
        "author": _NULLABLE_STRING,
        "authors": {"type": "array", "items": {"type": "string"}},
        "published": _NULLABLE_STRING,
        "updated": _NULLABLE_STRING,
        "body": {"type": "string"},
        "rating": {"$ref": "#/components/schemas/Rating"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "images": {
            "type": "array",
            "description": "The images the post shows, in document order (page requisites).",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string"},
                    "alt": {"type": "string"},
                    "warc": {"$ref": "#/components/schemas/WarcRef"},
                },
                "required": ["url", "alt"],
            },
        },
        "platform": _NULLABLE_STRING,
        "canonical_url": _NULLABLE_STRING,
        "language": _NULLABLE_STRING,
        "word_count": _NULLABLE_INT,
        "version": _NULLABLE_INT,
        "content_hash": _NULLABLE_STRING,
        "fetched_at": _NULLABLE_STRING,
        "warc": {"$ref": "#/components/schemas/WarcRef"},
    },
    "required": ["url"],
}
CAPTURE = {
    "type": "object",
    "description": "One capture (WARC response or revisit record) of the post's URL.",
    "properties": {
        "date": {"type": "string"},
        "kind": {"type": "string", "enum": ["response", "revisit"]},
        "label": {"type": "string"},
        "status": _NULLABLE_INT,
        "version": _NULLABLE_INT,
        "filename": {"type": "string"},
        "offset": {"type": "integer"},
        "record_id": {"type": "string"},
        "view": {"type": "string", "description": "Path of the capture view."},
    },
    "required": ["date", "kind", "label", "filename", "offset", "record_id", "view"],
}
POST = {
    "type": "object",
    "properties": {
        "id": {"$ref": "#/components/schemas/PostId"},
        "url": {"type": "string"},
        "item": {"$ref": "#/components/schemas/Item"},
        "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
        "captures": {"type": "array", "items": {"$ref": "#/components/schemas/Capture"}},
    },
    "required": ["id", "url", "item", "versions", "captures"],
}
RUN = {
    "type": "object",
    "description": "One crawl run, as `blogarchive runs --json` prints it.",
    "properties": {
        "id": {"type": "integer"},
        "site": {"type": "string"},
        "trigger": {"type": "string"},
        "started": {"type": "string"},
        "ended": _NULLABLE_STRING,
        "status": {"type": "string", "enum": ["running", "ok", "failed", "interrupted"]},
        "pages": {"type": "integer"},
        "new_posts": {"type": "integer"},
        "changed_posts": {"type": "integer"},
        "unchanged_posts": {"type": "integer"},
        "errors": {"type": "integer"},
        "bytes_written": {"type": "integer"},
        "reason": _NULLABLE_STRING,
        "pid": _NULLABLE_INT,
        "host": _NULLABLE_STRING,
        "worker": _NULLABLE_STRING,
        "revalidated": {"type": "integer"},
        "revalidated_changed": {"type": "integer"},
    },
    "required": ["id", "site", "trigger", "started", "status"],
}
ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
POST_ID = {
    "type": "string",
    "pattern": "^[0-9a-f]{40}$",
    "description": "SHA-1 (hex) of the post's URL, UTF-8 encoded.",
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_STRING = {"type": "string"}

SEARCH_PARAMETERS = [
    _query("q", 'Query: words, "phrases", OR, NOT/-word, prefix*, field:word.', _STRING),
    _query("site", "Only this site.", _STRING),
    _query("author", "Only this author (case- and accent-insensitive).", _STRING),
    _query("min_rating", "Minimum rating, normalized 0..1 (0.8) or a fraction (4/5).", _STRING),
    _query("max_rating", "Maximum rating, normalized 0..1 or a fraction.", _STRING),
    _query("since", "Published on or after (YYYY-MM-DD).", {"type": "string", "format": "date"}),
    _query("until", "Published on or before (YYYY-MM-DD).", {"type": "string", "format": "date"}),
    {
        **_query(
            "tag", "Only posts with this tag (repeat: all).", {"type": "array", "items": _STRING}
        ),
        "explode": True,
    },
    _query("lang", "Only this language (fr matches fr-FR).", _STRING),
    _query(
        "kind",
        "Posts (the default), standalone pages, or all items.",
        {"type": "string", "enum": ["post", "page", "all"], "default": "post"},
    ),
    _query("sort", "Order of the hits.", {"type": "string", "enum": ["relevance", "date"]}),
    _query("all_versions", "Every archived version of each post.", {"type": "boolean"}),
    _query(
        "limit", "Number of hits.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
    ),
    _query("offset", "Hits to skip.", {"type": "integer", "minimum": 0, "default": 0}),
]


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "blogarchive",
            "version": __version__,
            "description": "Read-only JSON API of a blogarchive data directory.",
        },
        "paths": _paths(),
        "components": {
            "schemas": {
                "PostId": POST_ID,
                "Rating": RATING,
                "WarcRef": WARC,
                "Hit": HIT,
                "Item": ITEM,
                "Capture": CAPTURE,
                "Post": POST,
                "Run": RUN,
                "Error": ERROR,
            }
        },
    }


def _paths() -> dict[str, Any]:
    return {
        "/api/search": {
            "get": {
                "summary": "Search the archive",
                "operationId": "search",
                "parameters": SEARCH_PARAMETERS,
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "Hits, best first.",
                    ),
                    "400": _json(_ERROR_REF, "A bad query or filter."),
                    "503": _json(_ERROR_REF, "No search index yet."),
                },
            }
        },
        "/api/posts/{id}": {
            "get": {
                "summary": "One post: its latest item, its versions and its captures",
                "operationId": "getPost",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/PostId"},
                    },
                    _query(
                        "version",
                        "This version instead of the latest.",
                        {"type": "integer", "minimum": 1},
                    ),
                ],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Post"}, "The post."),
                    "404": _json(_ERROR_REF, "No such post (or version)."),
                },
            }
        },
        "/api/runs": {
            "get": {
                "summary": "The run history, newest first",
                "operationId": "listRuns",
                "parameters": [
                    _query("site", "Only this site.", _STRING),
                    _query(
                        "limit",
                        "Number of runs.",
                        {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
                    ),
                ],
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}, "Runs."
                    ),
                    "400": _json(_ERROR_REF, "A bad parameter."),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }
