"""jusText's stoplist looked up by identity before jusText hashes it again.

trafilatura's full cascade runs jusText with the stopwords of every language it knows
(154,484 words in one module-level tuple, when the page's language is not given), and
jusText's ``classify_paragraphs`` passes it to ``define_stoplist``, an ``lru_cache`` keyed by
the tuple itself: a tuple does not keep its hash, so every call hashes 154,484 strings again
(2.5 - 5 ms on this machine) to find the set it built the first time. Remembering the last
stoplist object (tuples and frozensets only: they cannot change) returns that same set
without the hash; anything else goes to jusText's function as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import justext.core

_Define = Callable[[Iterable[str]], frozenset[str]]


def _remembering(define: _Define) -> _Define:
    memo: list[tuple[object, frozenset[str]]] = []  # holds its key: an id is never reused

    def define_stoplist(stoplist: Iterable[str]) -> frozenset[str]:
        if memo and memo[0][0] is stoplist:
            return memo[0][1]
        words = define(stoplist)
        if isinstance(stoplist, tuple | frozenset):
            memo[:] = [(stoplist, words)]
        return words

    define_stoplist.original = define  # type: ignore[attr-defined]
    return define_stoplist


def install() -> None:
    """Make jusText remember its last stoplist (idempotent)."""
    if not hasattr(justext.core.define_stoplist, "original"):
        justext.core.define_stoplist = _remembering(justext.core.define_stoplist)
