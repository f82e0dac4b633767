"""A search plan as one tantivy query, with the same matches as the SQL it replaces
(``query/compile.py``), or ``Untranslatable`` when some part has no exact equivalent here.

Only the text part scores (as in SQL, where it alone is ranked); every other condition
(ranges, filters, visibility) is wrapped in a zero constant score, so it narrows without
reordering.
"""

from __future__ import annotations

import math
import typing as t

import tantivy

from globus_local.services.search.query.ast import (
    And,
    Exists,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Range,
    Term,
)
from globus_local.services.search.query.compile import is_text
from globus_local.services.search.query.text_match import leaf_tokens
from globus_local.services.search.tantivy_store import FV_MAX_CHARS, SCHEMA, pairs_of
from globus_local.services.search.text import (
    date_span,
    field_prefix,
    may_be_fielded,
    parse_number,
    scalar_text,
)

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


class Untranslatable(Exception):
    """The plan needs SQL (a phrase ending in a prefix, ``like``, ``exists``...)."""


def _filtered(query: tantivy.Query) -> tantivy.Query:
    return Q.const_score_query(query, 0.0)


def _all_of(parts: list[tantivy.Query]) -> tantivy.Query:
    return parts[0] if len(parts) == 1 else Q.boolean_query([(MUST, p) for p in parts])


def _any_of(parts: list[tantivy.Query]) -> tantivy.Query:
    return parts[0] if len(parts) == 1 else Q.boolean_query([(SHOULD, p) for p in parts])


def _negated(query: tantivy.Query) -> tantivy.Query:
    return Q.boolean_query([(MUST, _filtered(Q.all_query())), (MUST_NOT, query)])


class Translator:
    def __init__(self, index: tantivy.Index) -> None:
        self.index = index
        # (field, token) when the whole text part is one term: its count is a lookup
        self.lone_term: tuple[str, str] | None = None

    # -- text ---------------------------------------------------------------------------------

    def term(self, term: Term) -> tantivy.Query:
        tokens = leaf_tokens(term)
        if term.prefix:
            if len(tokens) > 1:
                raise Untranslatable("a phrase ending in a prefix")
            # tokens are letters and digits only (``text.tokenize``): nothing to escape
            return Q.regex_query(SCHEMA, "body", tokens[0] + ".*")
        if len(tokens) == 1:
            return Q.term_query(SCHEMA, "body", tokens[0])
        if not _paired(tokens):
            return Q.phrase_query(SCHEMA, "body", list(tokens))
        pairs = pairs_of(tokens)
        if len(pairs) == 1:
            return Q.term_query(SCHEMA, "pairs", pairs[0])
        words: list[str | tuple[int, str]] = list(pairs)
        return Q.phrase_query(SCHEMA, "pairs", words)

    def text(self, node: Node) -> tantivy.Query:
        """A text-only node (``compile.is_text``), scored."""
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return _any_of([self.text(n) for n in node.items])
        if isinstance(node, And):
            clauses = [
                (MUST_NOT, self.text(n.item)) if isinstance(n, Not) else (MUST, self.text(n))
                for n in node.items
            ]
            return Q.boolean_query(clauses)
        raise Untranslatable(f"not a text node: {type(node).__name__}")

    def top(self, node: Node) -> tantivy.Query:
        """The whole ``q``; notes when it is one plain term."""
        if isinstance(node, Term) and not node.prefix:
            tokens = leaf_tokens(node)
            if len(tokens) == 1 or (len(tokens) == 2 and _paired(tokens)):
                self.lone_term = (
                    ("body", tokens[0]) if len(tokens) == 1 else ("pairs", pairs_of(tokens)[0])
                )
        return self.node(node)

    # -- the rest of ``q`` --------------------------------------------------------------------

    def node(self, node: Node) -> tantivy.Query:
        if isinstance(node, MatchAll):
            return _filtered(Q.all_query())
        if isinstance(node, MatchNone):
            return Q.empty_query()
        if is_text(node):
            return self.text(node)
        if isinstance(node, Range):
            return _filtered(
                self.range(node.field, node.low, node.high, node.include_low, node.include_high)
            )
        if isinstance(node, Exists):
            raise Untranslatable("exists")
        if isinstance(node, Not):
            return _negated(self.node(node.item))
        if isinstance(node, And):
            return _all_of([self.node(n) for n in node.items])
        if isinstance(node, Or):
            return _any_of([self.node(n) for n in node.items])
        raise Untranslatable(f"unknown query node {type(node).__name__}")

    # -- filters ------------------------------------------------------------------------------

    def filter(self, item: dict[str, t.Any]) -> tantivy.Query:
        kind = item["type"]
        if kind == "not":
            return _negated(self.filter(item["filter"]))
        if kind == "and":
            return _all_of([self.filter(f) for f in item["filters"]])
        if kind == "or":
            return _any_of([self.filter(f) for f in item["filters"]])
        path = item["field_name"]
        prefix = field_prefix(path)
        if kind == "match_any":
            values = [f"{prefix}:{_kept(v)}" for v in item["values"]]
            return Q.term_set_query(SCHEMA, "fv", values)
        if kind == "match_all":
            return _all_of(
                [
                    Q.term_query(SCHEMA, "fv", f"{prefix}:{_kept(v)}", index_option="basic")
                    for v in item["values"]
                ]
            )
        if kind == "range":
            alternatives = []
            for rng in item["values"]:
                low, include_low = rng.get("from"), True
                if rng.get("gte") is not None:
                    low = rng["gte"]
                elif rng.get("gt") is not None:
                    low, include_low = rng["gt"], False
                high, include_high = rng.get("to"), True
                if rng.get("lte") is not None:
                    high = rng["lte"]
                elif rng.get("lt") is not None:
                    high, include_high = rng["lt"], False
                alternatives.append(self.range(path, low, high, include_low, include_high))
            return _any_of(alternatives)
        raise Untranslatable(f"filter type {kind}")

    def range(
        self,
        path: str,
        low: t.Any,
        high: t.Any,
        include_low: bool = True,
        include_high: bool = True,
    ) -> tantivy.Query:
        """As ``Compiler.range_condition``: a numeric reading, a date reading, or both."""
        low = None if low in (None, "*") else low
        high = None if high in (None, "*") else high
        if low is None and high is None:
            raise Untranslatable("exists")
        bounds = [b for b in (low, high) if b is not None]
        numeric = all(parse_number(b) is not None for b in bounds)
        dated = not all(isinstance(b, (int, float)) for b in bounds) and all(
            date_span(str(b)) is not None for b in bounds
        )
        prefix = field_prefix(path)
        alternatives = []
        if numeric:
            alternatives.append(
                self._range(
                    f"num.{prefix}",
                    parse_number(low) if low is not None else None,
                    parse_number(high) if high is not None else None,
                    include_low,
                    include_high,
                )
            )
        if dated:
            low_span = date_span(str(low)) if low is not None else None
            high_span = date_span(str(high)) if high is not None else None
            alternatives.append(
                self._range(
                    f"date.{prefix}",
                    low_span[0 if include_low else 1] if low_span else None,
                    high_span[1 if include_high else 0] if high_span else None,
                    True,
                    False,
                )
            )
        if not alternatives:
            raise Untranslatable("a range of text values")
        return _any_of(alternatives)

    def _range(
        self, column: str, low: float | None, high: float | None, inc_low: bool, inc_high: bool
    ) -> tantivy.Query:
        """``column:[low TO high]`` through tantivy's parser (the one way to a range over a
        JSON field's path). Its parser reads a whole number as an integer and tantivy
        cannot mix the kinds in one range: a whole bound facing a fractional one becomes
        its neighbouring float, with the other inclusiveness (``x >= 2`` is
        ``x > 1.9999999999999998``), which selects the same values."""
        if low is not None and high is not None and _whole(low) != _whole(high):
            if _whole(low):
                low = math.nextafter(low, -math.inf if inc_low else math.inf)
                inc_low = not inc_low
            else:
                high = math.nextafter(high, math.inf if inc_high else -math.inf)
                inc_high = not inc_high
            if _whole(low) != _whole(high):
                raise Untranslatable("bounds tantivy cannot compare as one kind")
        lo = "*" if low is None else _number(low)
        hi = "*" if high is None else _number(high)
        opening = "[" if inc_low or low is None else "{"
        closing = "]" if inc_high or high is None else "}"
        try:
            return self.index.parse_query(f"{column}:{opening}{lo} TO {hi}{closing}")
        except ValueError as err:
            raise Untranslatable(str(err)) from err


def _kept(value: t.Any) -> str:
    """A filter value as the copy keeps field values (longer ones only SQL holds)."""
    text = scalar_text(value)
    if len(text) > FV_MAX_CHARS:
        raise Untranslatable("a field value longer than the copy keeps")
    return text


def _paired(tokens: list[str]) -> bool:
    """Whether the copy's pairs hold this phrase's: pairs are of plain tokens only, and a
    token that may be a field-prefixed one could meet one across the plain part's end."""
    return not any(may_be_fielded(token) for token in tokens)


def _whole(value: float) -> bool:
    """Whether tantivy's parser reads this bound as an integer."""
    return value.is_integer() and abs(value) < 2**63


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise Untranslatable("a bound beyond a float's range")
    return str(int(value)) if _whole(value) else repr(value)
