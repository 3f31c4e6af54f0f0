"""Atom 1.0 feeds of the archive: the newest posts, and the new versions of edited posts.

A feed reader pointed at ``/feeds/posts.atom`` follows a blog from its archive, even after
the blog is gone; ``/feeds/changes.atom`` lists each new version of a post with a summary
of what changed (:mod:`archive.diff`). Entries link to the UI's own post pages, never to
the blog. ``posts.atom`` takes the search filters (``?q=``, ``?site=``, ``?author=``…).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from archive.diff import diff_posts
from archive.search.index import QuerySyntaxError, SchemaVersionError
from archive.session import parse_when
from archive.web.forms import FormError, SearchForm
from archive.web.posts import Entry, post_id, read_record
from archive.web.store import NoIndexError, Store

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50


def feed_posts(request: Request) -> Response:
    """The newest archived posts (latest versions), filtered as the search page filters."""
    store: Store = request.app.state.store
    try:
        form = SearchForm.parse(request.query_params)
        hits = store.search(form.q, **{**form.filters(), "sort": "date"}, limit=ENTRIES)
    except (NoIndexError, SchemaVersionError) as exc:
        return Response(str(exc), status_code=503, media_type="text/plain")
    except (FormError, QuerySyntaxError, ValueError) as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    feed = _feed(request, "Archived posts", "posts")
    for hit in hits:
        when = hit.published or ""
        _entry(feed, request, hit.url, hit.title, when, hit.author, _plain(hit.snippet))
    return _response(feed)


def feed_changes(request: Request) -> Response:
    """The newest new versions of posts (version 2 and later), each with what changed."""
    store: Store = request.app.state.store
    feed = _feed(request, "Changed posts", "changes")
    for before, after in store.changes(ENTRIES):
        summary = _summary(before, after)
        title = f"{after.title or after.url} (version {after.version})"
        author = after.authors[0] if after.authors else None
        _entry(
            feed,
            request,
            after.url,
            title,
            after.fetched_at or "",
            author,
            summary,
            version=after.version,
        )
    return _response(feed)


def _plain(snippet: str) -> str:
    """A hit's snippet (HTML with ``<mark>``) as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


def _summary(before: Entry, after: Entry) -> str:
    old, new = read_record(before), read_record(after)
    if old is None or new is None:
        return "a new version"
    return diff_posts(old, new).summary()


def _feed(request: Request, title: str, name: str) -> ET.Element:
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = str(request.url.replace(query=""))
    ET.SubElement(feed, "title").text = f"blogarchive: {title}"
    ET.SubElement(feed, "updated").text = _atom_date(None)
    ET.SubElement(feed, "link", rel="self", href=str(request.url))
    ET.SubElement(feed, "link", rel="alternate", href=str(request.url_for("search_page")))
    author = ET.SubElement(feed, "author")  # entries without an author take this one
    ET.SubElement(author, "name").text = "blogarchive"
    ET.SubElement(feed, "generator").text = f"blogarchive ({name})"
    return feed


def _entry(
    feed: ET.Element,
    request: Request,
    url: str,
    title: str | None,
    when: str,
    author: str | None,
    summary: str,
    *,
    version: int | None = None,
) -> None:
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = f"{url}#v{version}" if version else url
    ET.SubElement(entry, "title").text = title or url
    ET.SubElement(entry, "updated").text = _atom_date(when)
    page = request.url_for("post_page", post_id=post_id(url))
    href = f"{page}?version={version}" if version else str(page)
    ET.SubElement(entry, "link", rel="alternate", href=href)
    ET.SubElement(entry, "link", rel="via", href=url)
    if author:
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = author
    ET.SubElement(entry, "summary").text = summary
    # The feed's own <updated> is the newest entry's.
    stamp = feed.find("updated")
    if stamp is not None and (stamp.text or "") < (entry.findtext("updated") or ""):
        stamp.text = entry.findtext("updated")


def _atom_date(value: str | None) -> str:
    """An RFC 3339 date-time, as Atom requires: a bare day becomes its midnight UTC."""
    moment = parse_when(value) or datetime(1970, 1, 1, tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _response(feed: ET.Element) -> Response:
    body: Any = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=ATOM_TYPE)
