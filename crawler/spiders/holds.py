"""Posts held back until their images are archived, so that their items can point at them.

A post's JSONL line is written once (append-only, with its version: both or neither), but
its images are fetched after the post page. :class:`AssetHolds` keeps a captured post
(versioned, its page in the WARC) out of the item pipelines until every image it lists
has an outcome in this crawl (archived, or not: failed, refused, over budget), then
releases it with each archived image's WARC pointer. At most ``limit`` posts wait: past
it, the oldest goes on with what is known. No Scrapy here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from archive.records import PostRecord, WarcRef

Pointer = Callable[[str], WarcRef | None]


class AssetHolds:
    """The assets in flight, their outcomes, and the posts waiting for them."""

    def __init__(self, pointer: Pointer, limit: int = 1000) -> None:
        self.pointer = pointer
        self.limit = max(1, limit)
        self.waiting: set[str] = set()
        self.outcomes: dict[str, WarcRef | None] = {}
        self.parked: list[PostRecord] = []
        self.released_early = 0

    def expect(self, url: str) -> None:
        """An asset request is on its way."""
        self.waiting.add(url)

    def settle(self, url: str, archived_as: str | None) -> None:
        """The asset's outcome in this crawl: archived under ``archived_as`` (the URL it
        redirected to, else its own; its record is written, or an earlier one still
        holds) or not (None)."""
        self.waiting.discard(url)
        self.outcomes[url] = self.pointer(archived_as) if archived_as else None

    def forget(self, url: str) -> None:
        """The asset request went nowhere (the scheduler dropped it as a duplicate of a
        request already made): its pointer is looked up when its post goes on."""
        self.waiting.discard(url)

    def hold(self, post: PostRecord) -> list[PostRecord]:
        """The posts to pass on now: ``post`` with its pointers if none of its images is
        in flight (else it waits), and the oldest waiting one when too many wait."""
        if not self._pending(post):
            return [self.complete(post)]
        self.parked.append(post)
        if len(self.parked) <= self.limit:
            return []
        self.released_early += 1
        return [self.complete(self.parked.pop(0))]

    def ready(self) -> list[PostRecord]:
        """The waiting posts none of whose images is in flight any more, completed."""
        done = [post for post in self.parked if not self._pending(post)]
        if done:
            self.parked = [post for post in self.parked if self._pending(post)]
        return [self.complete(post) for post in done]

    def release_all(self) -> list[PostRecord]:
        """Every waiting post, with what is known (the crawl is closing)."""
        parked, self.parked = self.parked, []
        return [self.complete(post) for post in parked]

    def complete(self, post: PostRecord) -> PostRecord:
        """The post with each archived image's pointer (an image not settled in this
        crawl, as one fresh from an earlier crawl, is looked up)."""
        if not post.images:
            return post
        images = [
            replace(image, warc=self._pointer_of(image.url) if image.url else None)
            for image in post.images
        ]
        return post.replace(images=images)

    def _pointer_of(self, url: str) -> WarcRef | None:
        if url in self.outcomes:
            return self.outcomes[url]
        return None if url in self.waiting else self.pointer(url)

    def _pending(self, post: PostRecord) -> bool:
        return any(image.url in self.waiting for image in post.images)
