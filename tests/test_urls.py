"""URL canonicalization (crawler/urls.py): the same post under many URLs is one URL."""

from __future__ import annotations

import pytest

from archive.session import post_key
from crawler.parsers.navigation import clean_url
from crawler.urls import canonicalize, is_ignored_param, same_address

POST = "http://blog.example/2019/03/post.html"


@pytest.mark.parametrize(
    "variant",
    [
        POST,
        POST + "#comments",
        POST + "#c1234567890",
        POST + "?m=1",
        POST + "?m=0",
        POST + "?showComment=1552312345678#c1234",
        POST + "?showComment=1552312345678&m=1",
        POST + "?utm_source=twitter&utm_medium=social&utm_campaign=spring",
        POST + "?UTM_Source=feedburner",
        POST + "?fbclid=IwAR0abc",
        POST + "?gclid=EAIaIQ&msclkid=42",
        POST + "?_hsenc=p2A&_hsmi=1&mc_cid=3&mc_eid=4",
        POST + "?replytocom=77#respond",
        POST + "?share=twitter",
        POST + "?&&",
        "HTTP://Blog.Example/2019/03/post.html",
        "http://blog.example:80/2019/03/post.html",
        "  " + POST + "\n",
    ],
)
def test_variants_of_a_post_collapse_to_one_url(variant: str) -> None:
    assert canonicalize(variant) == POST


@pytest.mark.parametrize(
    "url",
    [
        "http://blog.example/search?updated-max=2019-03-01T10:00:00-08:00&max-results=7",
        "http://blog.example/?p=123",
        "http://blog.example/page/2/?s=rust",
        "http://blog.example/search/label/Open%20Source",
        "http://blog.example/Case/Matters.HTML",
        "http://blog.example/?m=201903",
        "http://blog.example/a?b=2&a=1",
        "https://blog.example:8443/x",
        "http://user:pw@blog.example:8080/x",
        "http://[::1]:8080/x",
    ],
)
def test_meaningful_parts_are_kept_as_written(url: str) -> None:
    assert canonicalize(url) == url


def test_tracking_is_dropped_but_other_parameters_keep_their_order() -> None:
    url = "http://h/search?q=rust&utm_source=x&max-results=7&fbclid=y&start=20"
    assert canonicalize(url) == "http://h/search?q=rust&max-results=7&start=20"


def test_scheme_host_and_default_https_port() -> None:
    assert canonicalize("HTTPS://EXAMPLE.org:443") == "https://example.org/"
    assert canonicalize("http://example.org:443/") == "http://example.org:443/"


@pytest.mark.parametrize(
    "url", ["http://[::1/2019/03/x.html", "http://h:port/x", "http://h:80x/", "not a url at all"]
)
def test_unparsable_urls_come_back_unchanged(url: str) -> None:
    assert canonicalize(url) == url


def test_relative_and_other_scheme_urls_are_left_alone() -> None:
    assert canonicalize("/2019/03/x.html?utm_source=a#top") == "/2019/03/x.html"
    assert canonicalize("mailto:me@example.org") == "mailto:me@example.org"


@pytest.mark.parametrize(
    ("pair", "ignored"),
    [
        ("utm_term=x", True),
        ("utm_=x", True),
        ("m=1", True),
        ("m=2", False),
        ("m", False),
        ("showComment", True),
        ("ShowComment=1", True),
        ("gclid", True),
        ("page=2", False),
        ("start-index=26", False),
    ],
)
def test_is_ignored_param(pair: str, ignored: bool) -> None:
    assert is_ignored_param(pair) is ignored


def test_clean_url_uses_canonicalize() -> None:
    assert clean_url(POST + "?utm_source=rss&m=1#more") == POST


def test_same_address_sets_aside_only_the_scheme_and_case() -> None:
    """The canonical check: anything else (a trailing slash too) is another address."""
    assert same_address("http://Blog.example/Post/", "https://blog.example/post/")
    assert not same_address("https://blog.example/post", "https://blog.example/post/")
    assert not same_address("https://blog.example/post/", "https://blog.example/post/?p=2")


def test_post_key_takes_a_same_host_canonical_and_drops_the_trailing_slash() -> None:
    """De-duplication of items: looser than the canonical check."""
    assert post_key("http://blog.example/post") == post_key("https://blog.example/post/")
    assert post_key("https://blog.example/copy/", "https://blog.example/post/") == (
        "blog.example/post?"
    )
    assert post_key("https://blog.example/a/", "https://mirror.example/b/") == "blog.example/a?"
