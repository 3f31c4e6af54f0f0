"""The search box's query language: a lexer and a parser into a small syntax tree.

Query language (a search box, not tantivy's raw syntax)::

    rust async          both words (AND is the default)
    "borrow checker"    the words, in this order
    rust OR go          either word
    rust -unsafe        NOT: also ``rust NOT unsafe``
    (rust OR go) async  parentheses group
    async*              prefix (at least 2 characters)
    "tokio run"*        phrase whose last word is a prefix
    title:rust          one field: title, author/authors, body, tag/tags, site (exact)

Only upper-case ``AND``, ``OR`` and ``NOT`` are operators; lower-case they are words.
Words are folded to ASCII, lower-cased and stemmed (English), so ``cafe`` finds
``Café`` and ``programs`` finds ``programming``. Anything else is part of a word, so
``node.js`` searches for the phrase ``node js`` and ``https://a.example/x`` works.

:func:`parse_query_tree` parses; :mod:`archive.search.compiler` turns the tree into
tantivy queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.search.documents import searchable
from archive.search.schema import FIELD_ALIASES

__all__ = ["And", "Leaf", "Node", "Not", "Or", "QuerySyntaxError", "parse_query_tree"]


class QuerySyntaxError(ValueError):
    """The search query cannot be parsed; the message says what and where."""

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        if position is not None:
            message = f"{message} (at position {position + 1})"
        super().__init__(message)


@dataclass
class _Tok:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT"
    pos: int
    text: str = ""
    field: str | None = None
    prefix: bool = False


@dataclass
class Leaf:
    text: str
    field: str | None
    phrase: bool
    prefix: bool
    pos: int


@dataclass
class Not:
    child: Node


@dataclass
class And:
    children: list[Node]


@dataclass
class Or:
    children: list[Node]


Node = Leaf | Not | And | Or

_OPERATORS = {"AND", "OR", "NOT"}
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
# Token kinds that cannot follow an operator.
_NO_TERM = (")", "OR", "AND")


def parse_query_tree(query: str) -> Node:
    """Parse ``query`` into the internal tree (raises :class:`QuerySyntaxError`)."""
    query = searchable(query)  # a word pasted from a page may carry its soft hyphens
    return _Parser(query, _Lexer(query).run()).parse()


# --------------------------------------------------------------------------- lexer


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.n = len(query)
        self.i = 0
        self.tokens: list[_Tok] = []

    def run(self) -> list[_Tok]:
        while self.i < self.n:
            self._step()
        return self.tokens

    def _step(self) -> None:
        query, i = self.query, self.i
        ch = query[i]
        if ch.isspace():
            self.i += 1
        elif ch in "()":
            self.tokens.append(_Tok(ch, i))
            self.i += 1
        elif ch in "-+" and i + 1 < self.n and not query[i + 1].isspace():
            # "-" or "+" glued to a term, a phrase or "(": negation / (redundant) requirement.
            if ch == "-":
                self.tokens.append(_Tok("NOT", i))
            self.i += 1
        elif ch == '"':
            self._phrase(i, i, None)
        else:
            self._word()

    def _word(self) -> None:
        """A word, an operator, ``field:word`` or ``field:"a phrase"`` at ``self.i``."""
        query, start = self.query, self.i
        j = start
        while j < self.n and not query[j].isspace() and query[j] not in '()"':
            j += 1
        word = query[start:j]
        field: str | None = None
        match = _FIELD_RE.fullmatch(word)
        if match and match.group(1).lower() in FIELD_ALIASES:
            field = FIELD_ALIASES[match.group(1).lower()]
            word = match.group(2)
            if not word:
                if j < self.n and query[j] == '"':
                    self._phrase(j, start, field)
                    return
                raise QuerySyntaxError(
                    f"expected a word or a quoted phrase after '{query[start:j]}'",
                    query=query,
                    position=start,
                )
        self._emit_word(word, start, field)
        self.i = j

    def _emit_word(self, word: str, start: int, field: str | None) -> None:
        if word in _OPERATORS and field is None:
            self.tokens.append(_Tok(word, start))
            return
        prefix = len(word) > 1 and word.endswith("*")
        self.tokens.append(_Tok("word", start, word.rstrip("*") if prefix else word, field, prefix))

    def _phrase(self, quote: int, start: int, field: str | None) -> None:
        """A quoted phrase whose opening quote is at ``quote``, maybe with a ``*`` after."""
        query = self.query
        end = query.find('"', quote + 1)
        if end < 0:
            raise QuerySyntaxError(
                'unterminated quoted phrase: add the closing "', query=query, position=quote
            )
        prefix = end + 1 < self.n and query[end + 1] == "*"
        self.tokens.append(_Tok("phrase", start, query[quote + 1 : end], field, prefix))
        self.i = end + 2 if prefix else end + 1


# --------------------------------------------------------------------------- parser


# Parentheses and NOTs nest at most this deep: the parser and the compiler recurse, and a
# query of 250 "(" would otherwise end in a RecursionError, not a syntax error.
MAX_DEPTH = 32


class _Parser:
    def __init__(self, query: str, tokens: list[_Tok]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def nested(self, tok: _Tok) -> None:
        """One level deeper (a group or a NOT) at ``tok``; too deep is a syntax error."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the query nests more than {MAX_DEPTH} deep", tok.pos)

    def error(self, message: str, pos: int | None) -> QuerySyntaxError:
        return QuerySyntaxError(message, query=self.query, position=pos)

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:  # only ")" can stop parse_or early
            raise self.error("unmatched ')'", tok.pos)
        return node

    def consume_operator(self, tok: _Tok, message: str) -> None:
        """Step past the operator ``tok``, which a term must follow."""
        self.i += 1
        nxt = self.peek()
        if nxt is None or nxt.kind in _NO_TERM:
            raise self.error(message, tok.pos)

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.consume_operator(tok, "OR needs a term on both sides")
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(children)

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.consume_operator(tok, "AND needs a term on both sides")
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(children)

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.error("the query ends too early", len(self.query))
        if tok.kind == "NOT":
            self.consume_operator(tok, "NOT (or -) must be followed by a term")
            self.nested(tok)
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        if tok.kind == "(":
            return self.parse_group(tok)
        if tok.kind in ("word", "phrase"):
            self.i += 1
            return Leaf(tok.text, tok.field, tok.kind == "phrase", tok.prefix, tok.pos)
        if tok.kind == ")":
            raise self.error("unmatched ')'", tok.pos)
        raise self.error(f"{tok.kind} needs a term before it", tok.pos)

    def parse_group(self, opening: _Tok) -> Node:
        self.i += 1
        self.nested(opening)
        nxt = self.peek()
        if nxt is not None and nxt.kind == ")":
            raise self.error("empty parentheses", opening.pos)
        node = self.parse_or()
        close = self.peek()
        if close is None or close.kind != ")":
            raise self.error("missing ')' for this '('", opening.pos)
        self.i += 1
        self.depth -= 1
        return node
