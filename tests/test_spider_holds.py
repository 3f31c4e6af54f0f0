"""Posts held back until their images have an outcome (crawler.spiders.holds), no crawl."""

from __future__ import annotations

from archive.records import ImageRef, PostRecord, WarcRef
from crawler.spiders.holds import AssetHolds

ARCHIVED = {
    "http://cdn/a.png": WarcRef(filename="a.warc.gz", offset=10, record_id="<urn:uuid:a>"),
    "http://cdn/b.png": WarcRef(filename="a.warc.gz", offset=20, record_id="<urn:uuid:b>"),
    "http://cdn/old.png": WarcRef(filename="old.warc.gz", offset=5, record_id="<urn:uuid:o>"),
}


def post(url: str, *images: str) -> PostRecord:
    return PostRecord(url=url, version=1, images=[ImageRef(url=i, alt=i[-5:]) for i in images])


def pointers(record: PostRecord) -> list[WarcRef | None]:
    return [image.warc for image in record.images]


def test_a_post_waits_for_its_images_then_points_at_them() -> None:
    holds = AssetHolds(ARCHIVED.get)
    holds.expect("http://cdn/a.png")
    holds.expect("http://cdn/b.png")
    assert holds.hold(post("http://blog/1", "http://cdn/a.png", "http://cdn/b.png")) == []
    holds.settle("http://cdn/a.png", "http://cdn/a.png")
    assert holds.ready() == []  # b is still on its way
    holds.settle("http://cdn/b.png", None)  # refused by robots.txt, say
    (done,) = holds.ready()
    assert pointers(done) == [ARCHIVED["http://cdn/a.png"], None]
    assert [i.alt for i in done.images] == ["a.png", "b.png"]
    assert holds.parked == []
    assert "warc" not in done.to_dict()["images"][1]
    assert done.to_dict()["images"][0]["warc"]["record_id"] == "<urn:uuid:a>"


def test_a_post_with_nothing_in_flight_passes_at_once() -> None:
    holds = AssetHolds(ARCHIVED.get)
    holds.settle("http://cdn/a.png", "http://cdn/a.png")
    (now,) = holds.hold(post("http://blog/1", "http://cdn/a.png", "http://cdn/old.png"))
    # An image not asked for in this crawl (fresh from an earlier one) is looked up.
    assert pointers(now) == [ARCHIVED["http://cdn/a.png"], ARCHIVED["http://cdn/old.png"]]
    assert holds.hold(post("http://blog/2")) == [post("http://blog/2")]


def test_a_redirected_image_points_where_it_was_archived() -> None:
    holds = AssetHolds(ARCHIVED.get)
    holds.expect("http://cdn/moved.png")
    assert holds.hold(post("http://blog/1", "http://cdn/moved.png")) == []
    holds.settle("http://cdn/moved.png", "http://cdn/b.png")
    (done,) = holds.ready()
    assert pointers(done) == [ARCHIVED["http://cdn/b.png"]]


def test_a_dropped_request_is_looked_up_when_its_post_goes_on() -> None:
    holds = AssetHolds(ARCHIVED.get)
    holds.expect("http://cdn/old.png")
    assert holds.hold(post("http://blog/1", "http://cdn/old.png")) == []
    holds.forget("http://cdn/old.png")  # a duplicate of a request made before
    (done,) = holds.ready()
    assert pointers(done) == [ARCHIVED["http://cdn/old.png"]]


def test_past_the_limit_the_oldest_goes_on_and_close_releases_the_rest() -> None:
    holds = AssetHolds(ARCHIVED.get, limit=2)
    for n in range(3):
        holds.expect(f"http://cdn/{n}.png")
    assert holds.hold(post("http://blog/0", "http://cdn/0.png")) == []
    assert holds.hold(post("http://blog/1", "http://cdn/1.png")) == []
    (early,) = holds.hold(post("http://blog/2", "http://cdn/2.png"))
    assert (early.url, pointers(early), holds.released_early) == ("http://blog/0", [None], 1)
    assert [p.url for p in holds.release_all()] == ["http://blog/1", "http://blog/2"]
    assert holds.parked == []
