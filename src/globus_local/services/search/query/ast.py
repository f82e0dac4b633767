"""The parsed form of ``q``: what both query syntaxes produce and the compiler consumes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """Tokens that must occur (one token, or a phrase), optionally within one field.

    ``prefix`` makes the last token a prefix (``title:lov*``).
    """

    field: str | None
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Range:
    """``field:[low TO high]`` (bounds None when open, ``*``)."""

    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class MatchNone:
    pass


Node = Term | Range | Exists | And | Or | Not | MatchAll | MatchNone


def make_and(items: list[Node]) -> Node:
    """A conjunction, simplified: MatchAll drops out, MatchNone wins, one item is itself."""
    flat: list[Node] = []
    for item in items:
        if isinstance(item, MatchAll):
            continue
        if isinstance(item, MatchNone):
            return item
        flat.extend(item.items if isinstance(item, And) else (item,))
    if not flat:
        return MatchAll()
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def make_or(items: list[Node]) -> Node:
    """A disjunction, simplified: MatchNone drops out, MatchAll wins, one item is itself."""
    flat: list[Node] = []
    for item in items:
        if isinstance(item, MatchNone):
            continue
        if isinstance(item, MatchAll):
            return item
        flat.extend(item.items if isinstance(item, Or) else (item,))
    if not flat:
        return MatchNone()
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def make_not(item: Node) -> Node:
    if isinstance(item, MatchAll):
        return MatchNone()
    if isinstance(item, MatchNone):
        return MatchAll()
    if isinstance(item, Not):
        return item.item
    return Not(item)
