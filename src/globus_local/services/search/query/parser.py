"""Parsing ``q`` in both Search syntaxes.

* simple (``advanced=false``): tolerant; whitespace-separated words all required, quoted
  phrases, ``word*`` prefixes, ``-word`` exclusions, ``OR`` between words. Any other
  punctuation is just text. ``*`` alone matches everything. Fails only over a limit.
* advanced (``advanced=true``): the Lucene-style syntax Globus Search documents:
  ``field:value``, ``field:"a phrase"``, ``field:(a OR b)``, ``AND``/``OR``/``NOT``
  (also ``&&``, ``||``, ``!``, ``+``, ``-``), parentheses, ranges ``field:[a TO b]`` /
  ``{a TO b}`` / ``field:>=x``, ``field:*`` and ``_exists_:field``, ``word*``.
  Malformed input raises :class:`QuerySyntaxError`.

Both run in time linear in the query, and neither recurses deeper than the nesting of
parentheses, which is bounded: a query over a limit raises :class:`QueryLimitError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from globus_local.services.search.limits import (
    MAX_QUERY_CHARS,
    MAX_QUERY_DEPTH,
    MAX_QUERY_TERMS,
)
from globus_local.services.search.query.ast import (
    Exists,
    MatchAll,
    MatchNone,
    Node,
    Range,
    Term,
    make_and,
    make_not,
    make_or,
)
from globus_local.services.search.text import range_bound_problem, tokenize


class QuerySyntaxError(ValueError):
    """The advanced query could not be parsed."""


class QueryLimitError(QuerySyntaxError):
    """The query is over one of Search's limits (length, terms, nesting)."""


class _TermCount:
    """Counts a query's words, phrases and ranges against MAX_QUERY_TERMS."""

    def __init__(self) -> None:
        self.n = 0

    def add(self) -> None:
        self.n += 1
        if self.n > MAX_QUERY_TERMS:
            raise QueryLimitError(
                f"the query has more than {MAX_QUERY_TERMS} terms (words, phrases and ranges)"
            )


def _term(field: str | None, raw: str) -> Node:
    """A value word: ``*`` → all/exists, trailing ``*`` → prefix, no tokens → nothing."""
    if raw == "*":
        return MatchAll() if field is None else Exists(field)
    prefix = raw.endswith("*")
    tokens = tokenize(raw.replace("*", " ").replace("?", " "))
    if not tokens:
        return MatchAll()  # punctuation only: no constraint, as a text engine would ignore it
    return Term(field, tuple(tokens), prefix)


def _phrase(field: str | None, raw: str) -> Node:
    tokens = tokenize(raw)
    return Term(field, tuple(tokens)) if tokens else MatchAll()


# -- simple syntax --------------------------------------------------------------------------

_SIMPLE_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_simple(q: str) -> Node:
    """Words all required; ``a OR b`` groups neighbours into one disjunction."""
    if q.strip() == "*":
        return MatchAll()
    conjuncts: list[list[Node]] = []  # each a disjunction, usually of one node
    pending_or = False
    terms = _TermCount()
    for m in _SIMPLE_PART.finditer(q):
        negate, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word in ("OR", "|", "||"):
            pending_or = True
            continue
        terms.add()
        if phrase is not None:
            node = _phrase(None, phrase)
        else:
            assert word is not None
            if word.startswith("-") and len(word) > 1:
                negate, word = "-", word[1:]
            elif word.startswith("+") and len(word) > 1:
                word = word[1:]
            node = _term(None, word)
        if negate and not isinstance(node, MatchAll):
            node = make_not(node)
        elif negate:
            continue
        if pending_or and conjuncts:
            conjuncts[-1].append(node)  # built once at the end: no re-flattening per OR
        else:
            conjuncts.append([node])
        pending_or = False
    return make_and([make_or(group) for group in conjuncts])


# -- advanced syntax ------------------------------------------------------------------------


@dataclass
class _Tok:
    kind: str  # WORD QUOTED ( ) [ ] { } : AND OR NOT + - CMP EOF
    value: str
    pos: int


_SPECIAL = set('()[]{}:"')


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()[]{}:":
            toks.append(_Tok(ch, ch, i))
            i += 1
            continue
        if ch == '"':
            j = i + 1
            buf: list[str] = []
            while j < n and q[j] != '"':
                if q[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(q[j])
                j += 1
            if j >= n:
                raise QuerySyntaxError(f"unterminated quoted phrase at position {i}")
            toks.append(_Tok("QUOTED", "".join(buf), i))
            i = j + 1
            continue
        if q.startswith("&&", i):
            toks.append(_Tok("AND", "&&", i))
            i += 2
            continue
        if q.startswith("||", i):
            toks.append(_Tok("OR", "||", i))
            i += 2
            continue
        if ch in "+-!" and (i + 1 < n and not q[i + 1].isspace()):
            kind = {"+": "+", "-": "-", "!": "NOT"}[ch]
            toks.append(_Tok(kind, ch, i))
            i += 1
            continue
        if ch in "<>" and toks and toks[-1].kind == ":":
            op = q[i : i + 2] if q.startswith(("<=", ">="), i) else ch
            toks.append(_Tok("CMP", op, i))
            i += len(op)
            continue
        j = i
        buf = []
        while j < n and not q[j].isspace() and q[j] not in _SPECIAL:
            if q[j] == "\\" and j + 1 < n:
                # keep "\." (the escaped-dot of field paths); other escapes lose the backslash
                buf.append(q[j : j + 2] if q[j + 1] in ".\\" else q[j + 1])
                j += 2
                continue
            buf.append(q[j])
            j += 1
        word = "".join(buf)
        kind = word if word in ("AND", "OR", "NOT", "TO") else "WORD"
        toks.append(_Tok(kind, word, i))
        i = j
    toks.append(_Tok("EOF", "", n))
    return toks


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")


class _Parser:
    """Recursive descent, one level per parenthesis; those may nest MAX_QUERY_DEPTH deep."""

    def __init__(self, q: str) -> None:
        self.toks = _lex(q)
        self.i = 0
        self.depth = 0
        self.terms = _TermCount()

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if kind is not None and tok.kind != kind:
            shown = tok.value or "end of query"
            raise QuerySyntaxError(f"expected {kind!r} at position {tok.pos}, found {shown!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise QuerySyntaxError("empty query")
        node = self.or_expr(None)
        if self.peek().kind != "EOF":
            tok = self.peek()
            raise QuerySyntaxError(f"unexpected {tok.value!r} at position {tok.pos}")
        return node

    def or_expr(self, field: str | None) -> Node:
        items = [self.and_expr(field)]
        while self.peek().kind == "OR":
            self.take()
            items.append(self.and_expr(field))
        return make_or(items)

    def and_expr(self, field: str | None) -> Node:
        items = [self.clause(field)]
        while self.peek().kind not in ("OR", ")", "EOF"):
            if self.peek().kind == "AND":
                self.take()
            items.append(self.clause(field))
        return make_and(items)

    def clause(self, field: str | None) -> Node:
        """Prefix operators in a loop (``NOT NOT -a`` is ``NOT a``), then the operand."""
        negate = False
        while self.peek().kind in ("NOT", "-", "+"):
            negate ^= self.take().kind != "+"
        node = self.primary(field)
        return make_not(node) if negate else node

    def group(self, field: str | None) -> Node:
        """``( ... )``: the only place the parser goes one level deeper."""
        opening = self.take("(")
        if self.depth >= MAX_QUERY_DEPTH:
            raise QueryLimitError(
                f"parentheses nest more than {MAX_QUERY_DEPTH} levels deep "
                f"(at position {opening.pos})"
            )
        self.depth += 1
        node = self.or_expr(field)
        self.take(")")
        self.depth -= 1
        return node

    def primary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind == "(":
            return self.group(field)
        if tok.kind == "WORD" and self.peek(1).kind == ":":
            if field is not None:
                raise QuerySyntaxError(f"nested field at position {tok.pos}")
            self.take()
            self.take(":")
            return self.field_value(tok.value)
        if tok.kind in ("[", "{"):
            raise QuerySyntaxError(f"a range needs a field, at position {tok.pos}")
        return self.value(field)

    def value(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind == "QUOTED":
            self.take()
            self.terms.add()
            return _phrase(field, tok.value)
        if tok.kind in ("WORD", "TO"):
            self.take()
            self.terms.add()
            return _term(field, tok.value)
        shown = tok.value or "end of query"
        raise QuerySyntaxError(f"expected a search term at position {tok.pos}, found {shown!r}")

    def field_value(self, field: str) -> Node:
        tok = self.peek()
        if field == "_exists_":
            name = self.take()
            if name.kind not in ("WORD", "QUOTED"):
                raise QuerySyntaxError(f"_exists_ needs a field name at position {name.pos}")
            self.terms.add()
            return Exists(name.value)
        if tok.kind == "(":
            return self.group(field)
        if tok.kind in ("[", "{"):
            return self.range(field)
        if tok.kind == "CMP":
            self.take()
            self.terms.add()
            bound = self.bound()
            op = tok.value
            if op.startswith(">"):
                return Range(field, bound, None, include_low=op == ">=")
            return Range(field, None, bound, include_high=op == "<=")
        return self.value(field)

    def bound(self) -> str | None:
        """A range bound; one no stored value could compare with (``1e999``, ``nan``,
        ``2020-13-45``) is an error rather than a range that silently matches nothing."""
        tok = self.take()
        if tok.kind == "-" and self.peek().kind == "WORD":
            value = "-" + self.take().value
        elif tok.kind not in ("WORD", "QUOTED"):
            raise QuerySyntaxError(f"expected a range bound at position {tok.pos}")
        else:
            value = tok.value
        problem = range_bound_problem(value)
        if problem is not None:
            raise QuerySyntaxError(f"range bound {_shown(value)} at position {tok.pos}: {problem}")
        return None if value == "*" else value

    def range(self, field: str) -> Node:
        opening = self.take()
        self.terms.add()
        low = self.bound()
        self.take("TO")
        high = self.bound()
        closing = self.take()
        if closing.kind not in ("]", "}"):
            raise QuerySyntaxError(f"expected ']' or '}}' at position {closing.pos}")
        return Range(field, low, high, opening.kind == "[", closing.kind == "]")


def parse_advanced(q: str) -> Node:
    if q.strip() == "*":
        return MatchAll()
    return _Parser(q).parse()


def parse_query(q: str | None, advanced: bool) -> Node:
    """The query node for ``q``; an absent/blank ``q`` matches everything (filters may follow)."""
    if q is None or not q.strip():
        return MatchAll()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryLimitError(
            f"the query is {len(q)} characters long; at most {MAX_QUERY_CHARS} are allowed"
        )
    node = parse_advanced(q) if advanced else parse_simple(q)
    return node if not isinstance(node, MatchNone) else MatchNone()
