"""Turning a parsed query and filters into SQL conditions on ``search_entries e``.

Text leaves become one backend full-text query wherever possible (a whole ``AND``/``OR``
of words, with exclusions); ranges, ``exists`` and filters become ``EXISTS`` over
``search_fields``. The SQL is the same on every backend except the full-text parts.
"""

from __future__ import annotations

import typing as t

from globus_local.services.search.backends.base import FullTextBackend
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
    make_or,
)
from globus_local.services.search.query.text_match import render_text
from globus_local.services.search.text import date_span, parse_number, scalar_text

TRUE = "1=1"
FALSE = "1=0"
# Subquery conditions a statement keeps as they are: the database may plan them as joins.
FREE_SUBQUERIES = 16
# Conditions joined in one run of AND/OR: longer runs are grouped in parentheses, since
# SQLite refuses an expression tree deeper than 1000 and a flat run of n is n deep.
JOIN_RUN = 32


def join(parts: t.Sequence[str], op: str) -> str:
    """``(a OP b OP ...)``, grouped in runs of JOIN_RUN so the expression stays shallow."""
    parts = list(parts)
    while len(parts) > JOIN_RUN:
        parts = [
            "(" + f" {op} ".join(parts[i : i + JOIN_RUN]) + ")"
            for i in range(0, len(parts), JOIN_RUN)
        ]
    return "(" + f" {op} ".join(parts) + ")"


def is_text(node: Node) -> bool:
    """Whether the backend can evaluate ``node`` as one full-text query."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Or):
        return all(is_text(n) for n in node.items)
    if isinstance(node, And):
        positives = [n for n in node.items if not isinstance(n, Not)]
        negatives = [n.item for n in node.items if isinstance(n, Not)]
        return bool(positives) and all(is_text(n) for n in positives + negatives)
    return False


def positive_terms(node: Node) -> list[Term]:
    """The text leaves that count towards relevance (not under a NOT)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in positive_terms(item)]
    return []


def split_text(node: Node) -> tuple[Node | None, list[Node]]:
    """``(text part, other conjuncts)`` of a query: the text part drives the join."""
    if is_text(node):
        return node, []
    if isinstance(node, And):
        positives = [n for n in node.items if not isinstance(n, Not) and is_text(n)]
        if positives:
            negatives = [n for n in node.items if isinstance(n, Not) and is_text(n.item)]
            text_items = positives + negatives
            taken = {id(n) for n in text_items}  # by identity: linear, and equal items stay
            rest = [n for n in node.items if id(n) not in taken]
            text_node = text_items[0] if len(text_items) == 1 else And(tuple(text_items))
            return text_node, rest
    return None, [node]


class Compiler:
    """Builds SQL fragments and collects their bound parameters."""

    def __init__(self, backend: FullTextBackend, index_id: str) -> None:
        self.backend = backend
        self.index_id = index_id
        self.params: dict[str, t.Any] = {}
        self._n = 0
        self.subqueries = 0  # ``e.pk IN (SELECT ...)`` conditions in the statement so far

    def entries_in(self, select: str) -> str:
        """``e.pk IN (select)``; past FREE_SUBQUERIES in a statement, fenced by the backend
        (PostgreSQL would otherwise plan each as one more join, at a cost growing steeply)."""
        self.subqueries += 1
        condition = f"e.pk IN ({select})"
        if self.subqueries > FREE_SUBQUERIES:
            return self.backend.fence(condition)
        return condition

    def bind(self, value: t.Any) -> str:
        name = f"p{self._n}"
        self._n += 1
        self.params[name] = value
        return name

    def in_list(self, values: t.Iterable[t.Any]) -> str:
        return ", ".join(":" + self.bind(v) for v in values)

    # -- query nodes ------------------------------------------------------------------------

    def text_condition(self, node: Node) -> str:
        param = self.bind(render_text(self.backend, node))
        return self.entries_in(self.backend.ids_sql(param))

    def node(self, node: Node) -> str:
        if isinstance(node, MatchAll):
            return TRUE
        if isinstance(node, MatchNone):
            return FALSE
        if is_text(node):
            return self.text_condition(node)
        if isinstance(node, Range):
            return self.range_condition(
                node.field, node.low, node.high, node.include_low, node.include_high
            )
        if isinstance(node, Exists):
            return self.exists(node.field)
        if isinstance(node, Not):
            return f"NOT ({self.node(node.item)})"
        if isinstance(node, And):
            text_part, rest = split_text(node)
            if text_part is None:
                rest = list(node.items)  # split_text gave back the node itself
            parts = [self.text_condition(text_part)] if text_part is not None else []
            parts += [self.node(n) for n in rest]
            return join(parts, "AND")
        if isinstance(node, Or):
            texts = [n for n in node.items if is_text(n)]
            parts = [self.text_condition(make_or(texts))] if texts else []
            parts += [self.node(n) for n in node.items if not is_text(n)]
            return join(parts, "OR")
        raise TypeError(f"unknown query node {node!r}")

    # -- field conditions -------------------------------------------------------------------

    # Field conditions select the (index-local) entries having such a value, through the
    # (index_id, path, value) indexes, rather than probing each candidate entry.

    def field_exists(self, path: str, condition: str) -> str:
        idx, p = self.bind(self.index_id), self.bind(path)
        return self.entries_in(
            "SELECT f.entry_pk FROM search_fields f "
            f"WHERE f.index_id = :{idx} AND f.path = :{p} AND ({condition})"
        )

    def exists(self, path: str) -> str:
        idx, p = self.bind(self.index_id), self.bind(path)
        plen = self.bind(len(path) + 1)
        pdot = self.bind(path + ".")
        return self.entries_in(
            f"SELECT f.entry_pk FROM search_fields f WHERE f.index_id = :{idx} "
            f"AND (f.path = :{p} OR substr(f.path, 1, :{plen}) = :{pdot})"
        )

    def range_condition(
        self,
        path: str,
        low: t.Any,
        high: t.Any,
        include_low: bool = True,
        include_high: bool = True,
    ) -> str:
        low = None if low in (None, "*") else low
        high = None if high in (None, "*") else high
        if low is None and high is None:
            return self.exists(path)
        bounds = [b for b in (low, high) if b is not None]
        numeric = all(parse_number(b) is not None for b in bounds)
        # JSON numbers compare as numbers only; strings may name dates ("2014-11-07", "2014")
        dated = not all(isinstance(b, (int, float)) for b in bounds) and all(
            date_span(str(b)) is not None for b in bounds
        )
        # One sub-select per reading of the bounds, so each uses its own index.
        alternatives: list[str] = []
        if numeric:
            alternatives.append(
                self.field_exists(
                    path,
                    self._compare(
                        "f.value_num",
                        parse_number(low) if low is not None else None,
                        parse_number(high) if high is not None else None,
                        include_low,
                        include_high,
                    ),
                )
            )
        if dated:
            low_span = date_span(str(low)) if low is not None else None
            high_span = date_span(str(high)) if high is not None else None
            conds = []
            if low_span is not None:
                conds.append(f"f.value_date >= :{self.bind(low_span[0 if include_low else 1])}")
            if high_span is not None:
                conds.append(f"f.value_date < :{self.bind(high_span[1 if include_high else 0])}")
            alternatives.append(self.field_exists(path, " AND ".join(conds)))
        if not alternatives:
            alternatives.append(
                self.field_exists(
                    path,
                    self._compare(
                        "f.value_text",
                        scalar_text(low) if low is not None else None,
                        scalar_text(high) if high is not None else None,
                        include_low,
                        include_high,
                    ),
                )
            )
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"

    def _compare(
        self, column: str, low: t.Any, high: t.Any, include_low: bool, include_high: bool
    ) -> str:
        conds = []
        if low is not None:
            conds.append(f"{column} {'>=' if include_low else '>'} :{self.bind(low)}")
        if high is not None:
            conds.append(f"{column} {'<=' if include_high else '<'} :{self.bind(high)}")
        return "(" + " AND ".join(conds) + ")"

    # -- filters ----------------------------------------------------------------------------

    def filter(self, item: dict[str, t.Any]) -> str:
        kind = item["type"]
        if kind == "not":
            return f"NOT ({self.filter(item['filter'])})"
        if kind in ("and", "or"):
            return join([self.filter(f) for f in item["filters"]], kind.upper())
        path = item["field_name"]
        if kind == "exists":
            return self.exists(path)
        if kind == "match_any":
            values = [scalar_text(v) for v in item["values"]]
            return self.field_exists(path, f"f.value_text IN ({self.in_list(values)})")
        if kind == "match_all":
            return join(
                [
                    self.field_exists(path, f"f.value_text = :{self.bind(scalar_text(v))}")
                    for v in item["values"]
                ],
                "AND",
            )
        if kind == "like":
            pattern = (
                item["value"]
                .replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_")
                .replace("*", "%")
                .replace("?", "_")
            )
            like = f"LOWER(f.value_text) LIKE LOWER(:{self.bind(pattern)}) ESCAPE '\\'"
            return self.field_exists(path, like)
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
                alternatives.append(
                    self.range_condition(path, low, high, include_low, include_high)
                )
            return join(alternatives, "OR")
        raise ValueError(f"unknown filter type {kind!r}")

    # -- visibility -------------------------------------------------------------------------

    def visibility(self, principals: list[str] | None) -> str:
        """Entries the caller may see: public ones, or one of ``principals`` is listed."""
        if principals is None:
            return TRUE
        public = f"e.is_public = :{self.bind(True)}"
        if not principals:
            return public
        return (
            f"({public} OR EXISTS (SELECT 1 FROM search_visibility v WHERE v.entry_pk = e.pk "
            f"AND v.principal IN ({self.in_list(principals)})))"
        )
