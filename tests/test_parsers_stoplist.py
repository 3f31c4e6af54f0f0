"""jusText's stoplist set is built once for trafilatura's all-languages tuple, not per page."""

from __future__ import annotations

import justext.core
import pytest
from trafilatura import external

from crawler.parsers import fallback, stoplist
from crawler.parsers.dom import make_soup


def test_the_same_stoplist_object_gives_the_same_set_once_built() -> None:
    stoplist.install()
    stoplist.install()  # idempotent: wrapped once
    define = justext.core.define_stoplist
    original = define.original  # type: ignore[attr-defined]
    words = ("The", "and", "Der", "und")
    first = define(words)
    assert first == original(words) == frozenset({"the", "and", "der", "und"})
    assert define(words) is first
    other = frozenset({"Le", "et"})
    assert define(other) == frozenset({"le", "et"})
    assert define(words) == first


class _CountedHash(tuple[str, ...]):
    hashed = 0

    def __hash__(self) -> int:
        type(self).hashed += 1
        return super().__hash__()


def test_the_stoplist_is_not_hashed_again() -> None:
    """What jusText's own cache costs: hashing every word of the tuple on every call."""
    words = _CountedHash(("The", "and"))
    define = justext.core.define_stoplist
    first = define(words)
    hashed = _CountedHash.hashed
    assert hashed >= 1
    assert define(words) is first
    assert define(words) is first
    assert _CountedHash.hashed == hashed


def test_a_stoplist_that_can_change_is_not_remembered() -> None:
    """jusText's own function decides (its cache refuses a list, as it always did)."""
    define = justext.core.define_stoplist
    words = ("A", "b")
    define(words)
    with pytest.raises(TypeError, match="unhashable"):
        define(["A", "b"])


def test_the_full_cascade_runs_jusText_on_the_remembered_set() -> None:
    """A short page goes to trafilatura's full cascade, which runs jusText with its
    all-languages tuple: the set is the remembered one from then on."""
    page = "<html><body><article><h1>Hi</h1><p>" + "A short post of a few words. " * 5
    fallback.extracted_body(make_soup(page + "</p></article></body></html>"))
    everything = external.JT_STOPLIST
    assert everything is not None
    assert len(everything) > 100_000
    assert justext.core.define_stoplist(everything) is justext.core.define_stoplist(everything)
