"""One archiving session per crawl: one history connection, the WARC and JSONL writers,
and one order of decisions for every post.

For each response: validate its posts, drop posts already archived in this crawl under
another URL, give each changed post its version, decide revisit or response, write the
WARC unit (request, response or revisit, a metadata record per post), and only then
remember the capture. Each post's JSONL line is committed later, with its version: both
or neither. So the WARC metadata records and the JSONL hold the same posts, and a revisit
never points at a record that is not on disk.

No Scrapy here: the crawler's components are thin adapters around this class.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.datadir import HISTORY_FILE, DataDir
from archive.jsonl import JsonlWriter
from archive.records import PostRecord, WarcRef
from archive.state import catalog
from archive.state.catalog_scan import build
from archive.state.frontier import Frontier
from archive.state.history import Capture, History
from archive.warc.records import PROFILE_NOT_MODIFIED, HttpExchange, RevisitOf
from archive.warc.writer import WarcFileWriter, WrittenCapture

logger = logging.getLogger(__name__)
Counter = Callable[[str, int], None]


class ArchiveWriteError(OSError):
    """The WARC or JSONL could not be written (a full disk): the crawl should stop."""


class Freshness(Enum):
    """What a recrawl does with a known post a feed or sitemap dates."""

    FETCH = "fetch"
    """Changed since its last capture by that date, or never archived: fetch it."""
    SKIP = "skip"
    """Unchanged by that date, and asked for recently: leave it."""
    REVALIDATE = "revalidate"
    """Unchanged by that date, but not asked for in a while: ask again, conditionally
    (many blogs never move ``lastmod`` when a post is edited)."""


def revalidation_interval(url: str, every: timedelta) -> timedelta:
    """How long a post may go unasked: between half and all of ``every``, fixed per URL,
    so that posts archived together fall due over several crawls, not all in one."""
    share = int.from_bytes(hashlib.sha1(url.encode("utf-8")).digest()[:4], "big") / 2**32
    return every * (0.5 + 0.5 * share)


def post_key(url: str, canonical: str | None = None) -> str:
    """A post's identity within a crawl: its canonical URL when on its own host, without
    scheme and trailing slash.

    Looser than the spider's canonical check (``crawler.urls.same_address``) on purpose:
    it de-duplicates posts already parsed, so ``/post`` and ``/post/`` served alike,
    neither naming the other, are one post.
    """
    if canonical and urlsplit(canonical).hostname == urlsplit(url).hostname:
        url = canonical
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path.rstrip('/')}?{parts.query}"


def parse_when(text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime; None if unreadable."""
    if not text:
        return None
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10 and end_of_day:
        moment = datetime.combine(moment.date(), time.max)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _ignore(key: str, count: int) -> None:
    return None


class ArchiveSession:
    """The archive side of one crawl of one site (see the module docstring).

    ``dedup`` turns revisits and versions on; without it every capture is a full
    response and every post version 1. ``count(key, n)`` receives the session's events
    (``archive/warc/captures``, ``archive/posts/new``…) for the crawl's stats.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        dedup: bool = True,
        count: Counter = _ignore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.dedup = dedup
        self.count = count
        self.clock = clock
        self.history = History(self.data_dir / HISTORY_FILE)
        self.catalog = catalog.Catalog(self.history.db, self.data_dir)
        if not self.catalog.complete():  # a new archive, or one an older version wrote
            build(self.catalog, DataDir(self.data_dir))
        self.warc: WarcFileWriter | None = None
        self.jsonl: JsonlWriter | None = None
        self.failed = False
        self._seen: set[str] = set()

    # -- set-up ---------------------------------------------------------------------------

    def open_warc(self, *, prefix: str, **options: Any) -> WarcFileWriter:
        """Archive captures under ``DATA/warc`` (options as :class:`WarcFileWriter`)."""
        self.warc = WarcFileWriter(self.data_dir / "warc", prefix=prefix, **options)
        return self.warc

    def open_jsonl(self, *, prefix: str, **options: Any) -> JsonlWriter:
        """Commit posts as lines under ``DATA/items``."""
        self.jsonl = JsonlWriter(self.data_dir / "items", prefix=prefix, **options)
        return self.jsonl

    def frontier(self, site: str) -> Frontier:
        """The site's crawl frontier, on the session's own connection."""
        return Frontier(self.history.db, site)

    def finish(self) -> None:
        """Finish the files: fsync, unlock and drop their ``.open`` suffix."""
        for writer in (self.warc, self.jsonl):
            if writer is not None:
                try:
                    writer.close()
                except OSError as exc:
                    logger.error("could not close %s cleanly: %s", type(writer).__name__, exc)
        self._files_done()

    def _files_done(self) -> None:
        """Tell the catalog which WARC files it holds whole, so ``reindex`` skips them."""
        for path in self.warc.closed_files if self.warc else []:
            try:
                self.catalog.file_done(path.name, path.stat().st_size)
            except (OSError, sqlite3.Error) as exc:  # reindex reads the file again
                logger.warning("could not note %s in the catalog: %s", path.name, exc)

    def close(self) -> None:
        """Finish the files and close the history connection."""
        try:
            self.finish()
        finally:
            self.history.close()

    # -- before a request -----------------------------------------------------------------

    def conditional_headers(self, url: str, *, asset: bool = False) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for a URL whose post is archived.

        Only when its item is stored: after a crash between the WARC write and the JSONL
        line, a 304 would hide the post forever; a full fetch recovers it. An ``asset``
        (an image, a stylesheet) has no item: its capture is enough.
        """
        last = self.history.last_capture(url)
        if last is None or (not asset and self.history.last_version(url) is None):
            return {}
        headers = {"If-None-Match": last.etag, "If-Modified-Since": last.last_modified}
        return {name: value for name, value in headers.items() if value}

    def unchanged_since(self, url: str, lastmod: str | None) -> bool:
        """True when a feed or sitemap date is no later than the post's last capture.

        A date without a time counts as the end of that day, so a same-day edit is never
        skipped; a post whose item is not stored is never skipped.
        """
        changed_at = parse_when(lastmod, end_of_day=True)
        if changed_at is None:
            return False
        capture = self.history.last_capture(url)
        if capture is None or self.history.last_version(url) is None:
            return False
        captured_at = parse_when(capture.warc_date)
        return captured_at is not None and changed_at <= captured_at

    def freshness(
        self, url: str, lastmod: str | None, *, revalidate_after: timedelta | None
    ) -> Freshness:
        """Whether a recrawl fetches, skips or revalidates a post its feed or sitemap dates.

        A stale ``lastmod`` may delay noticing an edit, never hide it: a post unchanged by
        its date is still asked for again once :func:`revalidation_interval` has passed
        since the server last answered for it (None: always).
        """
        if not self.unchanged_since(url, lastmod):
            return Freshness.FETCH
        if revalidate_after is None or not self.answered_within(url, revalidate_after):
            return Freshness.REVALIDATE
        return Freshness.SKIP

    def answered_within(self, url: str, every: timedelta) -> bool:
        """True when the server answered for ``url`` (200 or 304) within its share of
        ``every`` (:func:`revalidation_interval`): an asset still fresh, not asked again."""
        checked = parse_when(self.history.last_check(url) or self._capture_date(url))
        return checked is not None and self.clock() - checked < revalidation_interval(url, every)

    def _capture_date(self, url: str) -> str | None:
        capture = self.history.last_capture(url)
        return capture.warc_date if capture else None

    # -- a response and its posts ---------------------------------------------------------

    def capture(self, exchange: HttpExchange | None, posts: list[PostRecord]) -> list[PostRecord]:
        """Archive a response (None: no WARC) with its posts; returns the posts to commit.

        Raises :class:`ArchiveWriteError` when the WARC cannot be written; from then on
        nothing is archived and no post is returned (the next crawl fetches them again).
        """
        if self.failed:
            return []
        kept = [p for p in (self._versioned(p) for p in self._new(posts)) if p is not None]
        if exchange is None or self.warc is None:
            return kept
        revisit_of = self._revisit_for(exchange)
        try:
            written = self.warc.write_capture(
                exchange, revisit_of=revisit_of, metadata=_metadata(kept) if kept else None
            )
        except OSError as exc:
            self.failed = True
            self.count("archive/warc/write_errors", 1)
            raise ArchiveWriteError(exc.errno, f"WARC write failed: {exc}") from exc
        self._remember(exchange, written)
        self.catalog.add_captures([_catalogued(exchange, written, revisit_of)])
        if self.dedup and exchange.status in (200, 304):
            self.history.record_check(exchange.url, written.warc_date)
        self.count("archive/warc/revisits" if written.revisit else "archive/warc/captures", 1)
        return [post.replace(warc=written.response) for post in kept]

    def commit(self, post: PostRecord) -> None:
        """Append the post's JSONL line, record its version and catalog it: all or nothing.

        A line without its version would be archived again by the next crawl (seen as
        new), so a version that cannot be committed (a full disk) takes its line back. A
        crash in between leaves the file ``.open``, and repair records its versions.
        Raises ``OSError`` or ``sqlite3.Error``; nothing of the post is kept then.
        """
        if self.jsonl is None:
            raise RuntimeError("commit() before open_jsonl()")
        versioned = self.dedup and post.version is not None and bool(post.content_hash)
        self.history.begin()
        try:
            if versioned:
                record_id = post.warc.record_id if post.warc else None
                self.history.record_version(
                    post.url, post.version or 0, post.content_hash or "", record_id, post.fetched_at
                )
            offset = self.jsonl.write(post)
            try:
                assert self.jsonl.path is not None
                self.catalog.add_item(post.to_dict(), self.jsonl.path, offset)
                self.history.commit()
            except sqlite3.Error:
                self.jsonl.unwrite(offset)
                raise
        except BaseException:
            self.history.rollback()
            raise
        if versioned:  # counted once archived: a post dropped on a full disk is not "new"
            self.count("archive/posts/new" if post.version == 1 else "archive/posts/changed", 1)

    # -- the steps, in order --------------------------------------------------------------

    def _new(self, posts: list[PostRecord]) -> list[PostRecord]:
        """Posts with some content that this crawl has not archived under another URL."""
        kept = []
        for post in posts:
            if not post.body.strip() and not (post.title or "").strip():
                logger.info("not archived, a post without title or body: %s", post.url)
                self.count("archive/posts/empty", 1)
                continue
            key = post_key(post.url, post.canonical_url)
            if key in self._seen:
                logger.info("not archived, same post as %s: %s", key, post.url)
                self.count("archive/posts/duplicate", 1)
                continue
            self._seen.add(key)
            kept.append(post)
        return kept

    def _versioned(self, post: PostRecord) -> PostRecord | None:
        """The post with its next version number, or None when its content is unchanged."""
        content_hash = post.content_hash or post.compute_content_hash()
        last = self.history.last_version(post.url) if self.dedup else None
        if last is not None and last[1] == content_hash:
            self.count("archive/posts/unchanged", 1)
            return None
        return post.replace(version=last[0] + 1 if last else 1, content_hash=content_hash)

    def _revisit_for(self, exchange: HttpExchange) -> RevisitOf | None:
        last = self.history.last_capture(exchange.url) if self.dedup else None
        if last is None:
            return None
        if exchange.status == 304:
            return _revisit(last, PROFILE_NOT_MODIFIED)
        if exchange.status == last.status == 200 and exchange.payload_digest == last.payload_digest:
            return _revisit(last)
        return None

    def _remember(self, exchange: HttpExchange, written: WrittenCapture) -> None:
        """Only after the record is on disk, so a revisit never points at nothing."""
        if not self.dedup or written.revisit or exchange.status != 200:
            return
        self.history.record_capture(
            Capture(
                url=exchange.url,
                record_id=written.record_id,
                warc_date=written.warc_date,
                payload_digest=exchange.payload_digest,
                filename=written.response.filename,
                offset=written.response.offset,
                status=exchange.status,
                etag=exchange.header("ETag"),
                last_modified=exchange.header("Last-Modified"),
            )
        )


def _catalogued(
    exchange: HttpExchange, written: WrittenCapture, revisit_of: RevisitOf | None
) -> catalog.Capture:
    """The catalog's row of a capture just written: what a scan of its record would read."""
    not_modified = revisit_of is not None and revisit_of.profile == PROFILE_NOT_MODIFIED
    return catalog.Capture(
        url=exchange.url,
        kind="revisit" if written.revisit else "response",
        date=written.warc_date,
        record_id=written.record_id,
        filename=written.response.filename,
        offset=written.response.offset,
        status=304 if not_modified else exchange.status,
        content_type=None if not_modified else exchange.header("Content-Type"),
        refers_to=revisit_of.record_id if revisit_of else None,
        profile=revisit_of.profile if revisit_of else None,
    )


def _revisit(last: Capture, profile: str | None = None) -> RevisitOf:
    extra = {"profile": profile} if profile else {}
    return RevisitOf(
        record_id=last.record_id,
        target_uri=last.url,
        date=last.warc_date,
        payload_digest=last.payload_digest,
        **extra,
    )


def _metadata(posts: list[PostRecord]) -> Callable[[WarcRef], list[bytes]]:
    """The metadata payloads of a capture's posts, each pointing at the response."""

    def payloads(ref: WarcRef) -> list[bytes]:
        return [
            json.dumps(post.replace(warc=ref).to_dict(), ensure_ascii=False).encode("utf-8")
            for post in posts
        ]

    return payloads
