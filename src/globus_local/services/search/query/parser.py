"""Parsing ``q`` in both Search syntaxes.

* simple (``advanced=false``): tolerant; whitespace-separated words all required, quoted
  phrases, ``word*`` prefixes, ``-word`` exclusions, ``OR`` between words. Any other
  punctuation is just text. ``*`` alone matches everything. Never fails.
* advanced (``advanced=true``): the Lucene-style syntax Globus Search documents:
  ``field:value``, ``field:"a phrase"``, ``field:(a OR b)``, ``AND``/``OR``/``NOT``
  (also ``&&``, ``||``, ``!``, ``+``, ``-``), parentheses, ranges ``field:[a TO b]`` /
  ``{a TO b}`` / ``field:>=x``, ``field:*`` and ``_exists_:field``, ``word*``.
  Malformed input raises :class:`QuerySyntaxError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
from globus_local.services.search.text import tokenize


class QuerySyntaxError(ValueError):
    """The advanced query could not be parsed."""


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
    if q.strip() == "*":
        return MatchAll()
    groups: list[list[Node]] = [[]]
    pending_or = False
    for m in _SIMPLE_PART.finditer(q):
        negate, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word in ("OR", "|", "||"):
            pending_or = True
            continue
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
        if pending_or and groups[-1]:
            last = groups[-1].pop()
            groups[-1].append(make_or([last, node]))
        else:
            groups[-1].append(node)
        pending_or = False
    return make_and(groups[0])


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


class _Parser:
    def __init__(self, q: str) -> None:
        self.toks = _lex(q)
        self.i = 0

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
        tok = self.peek()
        if tok.kind in ("NOT", "-"):
            self.take()
            return make_not(self.clause(field))
        if tok.kind == "+":
            self.take()
            return self.clause(field)
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind == "(":
            self.take()
            node = self.or_expr(field)
            self.take(")")
            return node
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
            return _phrase(field, tok.value)
        if tok.kind in ("WORD", "TO"):
            self.take()
            return _term(field, tok.value)
        shown = tok.value or "end of query"
        raise QuerySyntaxError(f"expected a search term at position {tok.pos}, found {shown!r}")

    def field_value(self, field: str) -> Node:
        tok = self.peek()
        if field == "_exists_":
            name = self.take()
            if name.kind not in ("WORD", "QUOTED"):
                raise QuerySyntaxError(f"_exists_ needs a field name at position {name.pos}")
            return Exists(name.value)
        if tok.kind == "(":
            self.take()
            node = self.or_expr(field)
            self.take(")")
            return node
        if tok.kind in ("[", "{"):
            return self.range(field)
        if tok.kind == "CMP":
            self.take()
            bound = self.bound()
            op = tok.value
            if op.startswith(">"):
                return Range(field, bound, None, include_low=op == ">=")
            return Range(field, None, bound, include_high=op == "<=")
        return self.value(field)

    def bound(self) -> str | None:
        tok = self.take()
        if tok.kind == "-" and self.peek().kind == "WORD":
            return "-" + self.take().value
        if tok.kind not in ("WORD", "QUOTED"):
            raise QuerySyntaxError(f"expected a range bound at position {tok.pos}")
        return None if tok.value == "*" else tok.value

    def range(self, field: str) -> Node:
        opening = self.take()
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
    node = parse_advanced(q) if advanced else parse_simple(q)
    return node if not isinstance(node, MatchNone) else MatchNone()
