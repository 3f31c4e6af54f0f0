"""Unit tests: rating numbers, author flattening, JSON-LD graphs, microdata, dates."""

from __future__ import annotations

import pytest

from archive.records import Rating
from crawler.parsers.authors import byline_name, clean_name, dedupe, flatten
from crawler.parsers.dates import to_iso
from crawler.parsers.dom import make_soup, select_one
from crawler.parsers.jsonld import JsonLd, types_of
from crawler.parsers.microdata import parse_items
from crawler.parsers.numbers import Parsed, make_rating, parse_rating_text, to_count
from crawler.parsers.ratings import choose, jsonld_ratings, microdata_ratings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,5", Parsed(4.5)),
        ("9/10", Parsed(9.0, 10.0)),
        ("6 / 10", Parsed(6.0, 10.0)),
        ("60%", Parsed(60.0, 100.0, 0.0)),
        (" 12", Parsed(12.0)),
        ("8.50", Parsed(8.5)),
        ("", None),
        ("5 stars", Parsed(5.0)),
        ("4.5 out of 5", Parsed(4.5, 5.0)),
        ("4.5 of 5", Parsed(4.5, 5.0)),
        (4, Parsed(4.0)),
        ("1,234,5", None),
        ("Rating:", None),
        (None, None),
    ],
)
def test_parse_rating_text(text: object, expected: Parsed | None) -> None:
    assert parse_rating_text(text) == expected


def test_count_trims_and_rejects_text() -> None:
    assert to_count(" 12") == 12
    assert to_count("many") is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": "4,5"}, (4.5, 5.0, 1.0)),
        ({"value": "60%"}, (60.0, 100.0, 0.0)),
        ({"value": "9/10"}, (9.0, 10.0, 1.0)),
        ({"value": "0/10"}, (0.0, 10.0, 0.0)),
        ({"value": "8.50", "best": 10, "worst": "0"}, (8.5, 10.0, 0.0)),
    ],
)
def test_make_rating_scales(kwargs: dict[str, object], expected: tuple[float, ...]) -> None:
    rating = make_rating(kind="review", source="test", **kwargs)  # type: ignore[arg-type]
    assert rating is not None
    assert (rating.value, rating.best, rating.worst) == expected


@pytest.mark.parametrize(
    "kwargs",
    [{"value": "8.5"}, {"value": "3", "best": 2, "worst": 2}, {"value": ""}, {"value": "n/a"}],
)
def test_make_rating_rejects_invalid(kwargs: dict[str, object]) -> None:
    """Value above the scale (data-vocabulary 8.5 of default 5), empty scale, no value."""
    assert make_rating(kind="review", source="test", **kwargs) is None  # type: ignore[arg-type]


def test_review_beats_aggregate() -> None:
    aggregate = Rating(value=4.0, best=5, worst=1, kind="aggregate")
    review = Rating(value=3.0, best=5, worst=1, kind="review")
    assert choose([None, aggregate, review]) is review
    assert choose([aggregate]) is aggregate
    assert choose([None]) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Roe", ["Jane Roe"]),
        ({"@type": "Person", "name": "Jane Roe"}, ["Jane Roe"]),
        ([{"name": "A B"}, "C D", {"name": "A B"}], ["A B", "C D"]),
        (["https://netbasal.medium.com", "@handle", "me@example.org", "", None], []),
        ({"@type": "Person", "name": ""}, []),
        ({"@type": "Person", "name": "Xiao Guoan (Admin)"}, ["Xiao Guoan (Admin)"]),
        ("By Jake Goulding", ["Jake Goulding"]),
    ],
)
def test_flatten_authors(value: object, expected: list[str]) -> None:
    assert flatten(value) == expected


def test_clean_name_and_dedupe() -> None:
    assert clean_name("  Jane \n Roe ") == "Jane Roe"
    assert clean_name("@") == ""
    assert dedupe(["Hosne", "hosne", " ", "Rakib"]) == ["Hosne", "Rakib"]


def test_byline_name_prefers_inner_element_over_label() -> None:
    soup = make_soup("<span class=post-author>Publicada por <span>Carlos Correia</span></span>")
    node = select_one(soup, ".post-author")
    assert node is not None
    assert byline_name(node) == "Carlos Correia"


GRAPH = """<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
{"@type":"WebPage","@id":"https://x/#page","author":{"@id":"https://x/#me"}},
{"@type":["BLOGPOSTING"],"@id":"https://x/#post","headline":"H","author":{"@id":"https://x/#me"}},
{"@type":"Person","@id":"https://x/#me","name":"Xiao Guoan (Admin)"}]}</script>
<script type="application/ld+json"><!-- {"@type":"http://schema.org/Review",
"reviewRating":{"@type":"Rating","ratingValue":"4"}} --></script>
<script type="application/ld+json">{broken</script>"""


def test_jsonld_graph_and_id_resolution() -> None:
    data = JsonLd.from_soup(make_soup(GRAPH))
    main = data.main_entity()
    assert main is not None
    assert main["headline"] == "H"
    assert flatten(main["author"], data.resolve) == ["Xiao Guoan (Admin)"]
    assert types_of(data.top[-1]) == {"review"}  # URL prefix stripped, HTML comment tolerated


def test_jsonld_ratings_lowercase_type_and_visitor_schema() -> None:
    html = """<script type="application/ld+json">{"@type":"Product","aggregateRating":
    {"@type":"aggregateRating","ratingValue":7.2,"bestRating":10,"worstRating":0,"ratingCount":3}}
    </script><script type="application/ld+json" class="site-reviews-schema">{"@type":"LocalBusiness",
    "review":[{"@type":"Review","reviewRating":{"ratingValue":2}}]}</script>"""
    ratings = [r for r in jsonld_ratings(JsonLd.from_soup(make_soup(html))) if r]
    assert ratings == [
        Rating(value=7.2, best=10, worst=0, count=3, kind="aggregate", source="jsonld")
    ]


MICRODATA = """<div itemscope itemtype="http://schema.org/BlogPosting">
<span itemprop="author" itemscope itemtype="http://schema.org/Person">
  <span itemprop="name">Hosne</span></span>
<div itemprop="review" itemscope itemtype="https://schema.org/Review">
  <span itemprop="author">Rakib</span>
  <span itemprop="reviewRating" itemscope itemtype="http://schema.org/Rating">
    <meta itemprop="ratingValue" content="4"><span itemprop="bestRating">shown 10</span>
    <meta itemprop="bestRating" content="5"></span></div></div>"""


def test_microdata_nested_scopes_and_content_attribute() -> None:
    items = parse_items(make_soup(MICRODATA))
    post, person, review, rating = items
    assert post.is_a("blogposting")
    assert person.text("name") == "Hosne"
    assert post.item("author") is person
    assert review.text("author") == "Rakib"
    assert "author" not in rating.props
    assert rating.text("ratingValue") == "4"
    assert microdata_ratings(items) == [
        Rating(value=4, best=5, worst=1, kind="review", source="microdata")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-03-02T11:53:00+06:00", "2019-03-02T11:53:00+06:00"),
        ("2016-08-27 16:48:18", "2016-08-27T16:48:18"),
        ("2024-01-20", "2024-01-20"),
        ("2017-05-27T08:39:00.003-07:00", "2017-05-27T08:39:00.003-07:00"),
        ("2020-01-14T21:05+0100", "2020-01-14T21:05:00+01:00"),
        ("Thu, 05 Mar 2020 10:00:00 GMT", "2020-03-05T10:00:00+00:00"),
        ("11:53 AM", None),
        ("2 days ago", None),
        ("", None),
    ],
)
def test_to_iso(value: str, expected: str | None) -> None:
    assert to_iso(value) == expected
