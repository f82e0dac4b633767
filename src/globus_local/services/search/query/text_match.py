"""The text-only part of a query in a full-text backend's own syntax: this module walks the
tree, the backend spells each piece (a phrase, a conjunction, an exclusion...)."""

from __future__ import annotations

import typing as t

from globus_local.services.search.query.ast import And, Node, Not, Or, Term
from globus_local.services.search.text import field_prefix


class TextSyntax(t.Protocol):
    """What a backend's query language provides (``backends.base.FullTextBackend``)."""

    def phrase(self, tokens: list[str], prefix: bool) -> str: ...

    def conj(self, parts: list[str]) -> str: ...

    def disj(self, parts: list[str]) -> str: ...

    def exclude(self, positive: str, negatives: list[str]) -> str: ...


def leaf_tokens(term: Term) -> list[str]:
    """The indexed tokens a term looks for (field-prefixed when the term names a field)."""
    if term.field is None:
        return list(term.tokens)
    prefix = field_prefix(term.field)
    return [prefix + tok for tok in term.tokens]


def render_text(syntax: TextSyntax, node: Node) -> str:
    """The backend query string for a text-only node (``Term`` leaves under ``And``/``Or``,
    ``Not`` only as an exclusion inside an ``And`` with a positive part)."""
    if isinstance(node, Term):
        return syntax.phrase(leaf_tokens(node), node.prefix)
    if isinstance(node, Or):
        return syntax.disj([render_text(syntax, n) for n in node.items])
    if isinstance(node, And):
        positives = [render_text(syntax, n) for n in node.items if not isinstance(n, Not)]
        negatives = [render_text(syntax, n.item) for n in node.items if isinstance(n, Not)]
        if not positives:
            raise ValueError("an exclusion needs a positive part")
        positive = positives[0] if len(positives) == 1 else syntax.conj(positives)
        return syntax.exclude(positive, negatives) if negatives else positive
    raise TypeError(f"not a text node: {node!r}")
