"""Turning a parsed query (:mod:`archive.search.query`) into tantivy queries.

Besides the query itself, :class:`QueryCompiler` collects body-only queries for the
positive terms, which :mod:`archive.search.snippets` highlights, and the CJK words to mark.

CJK text in a word or phrase is searched in the bigram fields (see
:mod:`archive.search.documents`): ``所有権`` is the phrase ``所有 有権`` there, and the Latin
words of the same term (``Rustの所有権``) must match in the same field too. A
one-character CJK word matches the bigrams that start with it.
"""

from __future__ import annotations

from collections.abc import Iterable

import tantivy

from archive.search.documents import cjk_bigrams, cjk_runs, mask_cjk
from archive.search.query import And, Leaf, Node, Not, Or, QuerySyntaxError
from archive.search.schema import CJK_FIELDS, DEFAULT_FIELDS

__all__ = ["QueryCompiler", "occur_list"]

_PREFIX_EXPANSIONS = 50  # prefix terms highlighted in snippets
_MIN_PREFIX = 2


def occur_list(items: Iterable[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    return tantivy.Query.boolean_query(list(items))


def _any_of(parts: list[tantivy.Query]) -> tantivy.Query:
    """One query matching any of ``parts`` (not empty): the query itself if only one."""
    if len(parts) == 1:
        return parts[0]
    return occur_list((tantivy.Occur.Should, q) for q in parts)


def _phrase(words: list[str]) -> list[str | tuple[int, str]]:
    return list(words)


class QueryCompiler:
    """Turns the parsed tree into a tantivy query plus a body-only query for highlights."""

    def __init__(
        self,
        schema: tantivy.Schema,
        text: tantivy.TextAnalyzer,
        name: tantivy.TextAnalyzer,
        searcher: tantivy.Searcher,
        query: str,
    ) -> None:
        self.schema = schema
        self.text = text
        self.name = name
        self.searcher = searcher
        self.query = query
        self.highlight: list[tantivy.Query] = []
        self.cjk_terms: list[str] = []
        """CJK words (as typed) that snippets should mark."""
        self.has_prefix = False
        """Whether the query has a prefix, which scores its matches alike."""

    def highlight_query(self) -> tantivy.Query | None:
        """What snippets should highlight, or None if nothing."""
        if not self.highlight:
            return None
        return occur_list((tantivy.Occur.Should, q) for q in self.highlight)

    def compile(self, node: Node, *, positive: bool = True) -> tantivy.Query | None:
        if isinstance(node, Leaf):
            return self.leaf(node, positive=positive)
        if isinstance(node, Not):
            return self.negation(node, positive=positive)
        if isinstance(node, Or):
            return self.disjunction(node, positive=positive)
        return self.conjunction(node, positive=positive)

    def negation(self, node: Not, *, positive: bool) -> tantivy.Query | None:
        inner = self.compile(node.child, positive=not positive)
        if inner is None:
            return None
        return occur_list(
            [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
        )

    def disjunction(self, node: Or, *, positive: bool) -> tantivy.Query | None:
        parts = [q for c in node.children if (q := self.compile(c, positive=positive))]
        return _any_of(parts) if parts else None

    def conjunction(self, node: And, *, positive: bool) -> tantivy.Query | None:
        musts: list[tantivy.Query] = []
        nots: list[tantivy.Query] = []
        for child in node.children:
            if isinstance(child, Not):
                q = self.compile(child.child, positive=not positive)
                if q is not None:
                    nots.append(q)
            elif (q := self.compile(child, positive=positive)) is not None:
                musts.append(q)
        if not musts and not nots:
            return None
        if not nots and len(musts) == 1:
            return musts[0]
        if not musts:
            musts.append(tantivy.Query.all_query())
        return occur_list(
            [(tantivy.Occur.Must, q) for q in musts] + [(tantivy.Occur.MustNot, q) for q in nots]
        )

    def leaf(self, leaf: Leaf, *, positive: bool) -> tantivy.Query | None:
        fields = {leaf.field: 1.0} if leaf.field else DEFAULT_FIELDS
        parts: list[tantivy.Query] = []
        for field, boost in fields.items():
            q = self.field_query(leaf, field, positive=positive)
            if q is None:
                continue
            parts.append(q if boost == 1.0 else tantivy.Query.boost_query(q, boost))
        return _any_of(parts) if parts else None

    def field_query(self, leaf: Leaf, field: str, *, positive: bool) -> tantivy.Query | None:
        if field == "site":
            return self.site_query(leaf)
        runs = cjk_runs(leaf.text) if field in CJK_FIELDS else []
        if not runs:
            return self.words_query(leaf, field, positive=positive)
        if positive and field == "body":
            self.cjk_terms.extend(cjk_runs(leaf.text, normalize=False) + runs)
        latin = Leaf(mask_cjk(leaf.text), leaf.field, leaf.phrase, False, leaf.pos)
        words = self.words_query(latin, field, positive=positive)
        parts = [self.cjk_query(CJK_FIELDS[field], run) for run in runs]
        parts += [words] if words is not None else []
        if len(parts) == 1:
            return parts[0]
        return occur_list((tantivy.Occur.Must, q) for q in parts)

    def words_query(self, leaf: Leaf, field: str, *, positive: bool) -> tantivy.Query | None:
        """``leaf`` (without CJK text) in ``field``: a term, a phrase or a prefix."""
        schema = self.schema
        analyzer = self.name if field == "authors" else self.text
        words = analyzer.analyze(leaf.text)
        if not words:
            return None
        if leaf.prefix:
            return self.prefix_query(
                leaf, field, words, stemmed=analyzer is self.text, positive=positive
            )
        if len(words) == 1:
            query = tantivy.Query.term_query(schema, field, words[0])
        else:
            query = tantivy.Query.phrase_query(schema, field, _phrase(words))
        if positive and field == "body":
            self.highlight.append(query)
        return query

    def cjk_query(self, field: str, run: str) -> tantivy.Query:
        """One CJK word in a bigram field: the phrase of its bigrams."""
        bigrams = cjk_bigrams(run)
        if len(run) == 1:
            return tantivy.Query.fuzzy_term_query(self.schema, field, run, distance=0, prefix=True)
        if len(bigrams) == 1:
            return tantivy.Query.term_query(self.schema, field, bigrams[0])
        return tantivy.Query.phrase_query(self.schema, field, _phrase(bigrams))

    def site_query(self, leaf: Leaf) -> tantivy.Query | None:
        """``site:`` matches the site name exactly (or as a prefix), not analyzed."""
        text = leaf.text.strip()
        if not text:
            return None
        if leaf.prefix:
            return tantivy.Query.fuzzy_term_query(
                self.schema, "site", text, distance=0, prefix=True
            )
        return tantivy.Query.term_query(self.schema, "site", text)

    def prefix_query(
        self, leaf: Leaf, field: str, words: list[str], *, stemmed: bool, positive: bool
    ) -> tantivy.Query:
        """``word*`` (or ``"a phrase wo"*``): the last word is a prefix.

        The prefix is matched, folded but not stemmed, against the indexed terms. As text
        fields hold stems ("program" for "programming"), the stem of the typed word also
        matches exactly, and so does the word without a doubled final consonant
        ("programm*" → "program", "runn*" → "run").
        """
        prefix = self.prefix_term(leaf, words)
        self.has_prefix = True
        exact = _exact_terms(prefix, words, stemmed=stemmed)
        head = words[:-1]
        parts = self.prefix_parts(field, head, prefix, exact)
        if positive and field == "body":
            self.highlight_prefix(prefix, exact, head)
        return _any_of(parts)

    def prefix_term(self, leaf: Leaf, words: list[str]) -> str:
        """The typed prefix, folded but not stemmed (QuerySyntaxError if too short)."""
        folded = self.name.analyze(leaf.text)
        prefix = folded[-1] if len(folded) == len(words) else words[-1]
        if len(prefix) < _MIN_PREFIX:
            raise QuerySyntaxError(
                f"the prefix in '{leaf.text}*' is too short: "
                f"use at least {_MIN_PREFIX} letters before '*'",
                query=self.query,
                position=leaf.pos,
            )
        return str(prefix)

    def prefix_parts(
        self, field: str, head: list[str], prefix: str, exact: list[str]
    ) -> list[tantivy.Query]:
        schema = self.schema
        parts: list[tantivy.Query] = []
        if not head:
            parts.append(
                tantivy.Query.fuzzy_term_query(schema, field, prefix, distance=0, prefix=True)
            )
            parts.extend(tantivy.Query.term_query(schema, field, t) for t in exact)
        else:
            parts.append(tantivy.Query.phrase_prefix_query(schema, field, _phrase([*head, prefix])))
            parts.extend(
                tantivy.Query.phrase_query(schema, field, _phrase([*head, t])) for t in exact
            )
        return parts

    def highlight_prefix(self, prefix: str, exact: list[str], head: list[str]) -> None:
        """Highlight the body terms the prefix expands to, the exact terms and the head."""
        expansions = self.searcher.terms_with_prefix("body", prefix, limit=_PREFIX_EXPANSIONS)
        terms = [t for t, _ in expansions] + exact + head
        self.highlight.extend(tantivy.Query.term_query(self.schema, "body", t) for t in terms)


def _exact_terms(prefix: str, words: list[str], *, stemmed: bool) -> list[str]:
    """Terms that also match exactly: the stem, and the prefix without a doubled consonant."""
    exact: list[str] = []
    if stemmed:
        exact.append(words[-1])
        if len(prefix) >= 4 and prefix[-1] == prefix[-2] and prefix[-1] not in "aeiouy":
            exact.append(prefix[:-1])
    return [t for t in dict.fromkeys(exact) if t != prefix]
